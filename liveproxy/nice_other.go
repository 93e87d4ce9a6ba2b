//go:build !linux

package liveproxy

// judgeThread leaves the judging goroutine as it is where the thread's
// priority cannot be set on its own.
func judgeThread() {}
