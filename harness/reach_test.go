package harness

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestCheckReachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	open, _ := url.Parse("http://" + ln.Addr().String() + "/api")
	if err := CheckReachable(context.Background(), open, time.Second); err != nil {
		t.Errorf("a listening target: %v", err)
	}
	ln.Close()
	closed, _ := url.Parse("http://someone:secret@" + ln.Addr().String() + "/api")
	start := time.Now()
	err = CheckReachable(context.Background(), closed, time.Second)
	var ue *UnreachableError
	if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), "target unreachable: http://"+ln.Addr().String()+"/api: ") ||
		!strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "secret") {
		t.Errorf("a refusing target: %v", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("took %s", time.Since(start))
	}
}
