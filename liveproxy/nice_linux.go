package liveproxy

import (
	"runtime"
	"syscall"
)

// judgeThread gives the judging goroutine a thread of its own at the
// lowest OS priority: judging takes the processor only when forwarding
// does not want it, so a client never waits for a verdict, only verdicts
// wait (and past the judge's budget, bodies go unjudged). The thread ends
// with the goroutine (it stays locked).
func judgeThread() {
	runtime.LockOSThread()
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19)
}
