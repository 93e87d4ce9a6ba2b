package harness

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// UnreachableError says the target cannot be reached at all: every spec
// would fail the same way, so the run stops before the first one.
type UnreachableError struct {
	Target string // the base URL, without credentials
	Via    string // the proxy requests would go through, if any
	Err    error
}

func (e *UnreachableError) Error() string {
	via := ""
	if e.Via != "" {
		via = " (via the proxy " + e.Via + ")"
	}
	return fmt.Sprintf("target unreachable: %s%s: %v", e.Target, via, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// CheckReachable opens (and closes) one TCP connection to the target's host,
// or to the proxy the environment routes it through, within timeout. It
// sends no request: a target that accepts connections and then never answers
// is left to the per-request timeout.
func CheckReachable(ctx context.Context, base *url.URL, timeout time.Duration) error {
	addr, via := hostPort(base), ""
	if proxy, err := http.ProxyFromEnvironment(&http.Request{URL: base}); err == nil && proxy != nil {
		addr = hostPort(proxy)
		via = ShownURL(proxy)
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return &UnreachableError{Target: ShownURL(base), Via: via, Err: err}
	}
	return conn.Close()
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}
