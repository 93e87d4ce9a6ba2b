package emulator

// The emulator keeps its world in memory and a client can add to it at will:
// every new phone number is a pending sign-up, every verified one an account,
// every sign-in a token. These limits keep a long-running emulator (or one
// reachable by others) from growing without bound. Beyond a limit the
// operation answers as the real server does when it throttles, with the
// documented high-usage message:
//
//	{"success": false, "error_message": "Our systems have detected high usage ..."}
const (
	// DefaultMaxAccounts bounds the accounts signed up since start.
	DefaultMaxAccounts = 10000
	// DefaultMaxPending bounds the phone numbers with a sign-in in progress.
	DefaultMaxPending = 10000
	// DefaultMaxTokens bounds the auth tokens issued (seeded ones included).
	DefaultMaxTokens = 50000
)

func (s *Server) limits() (accounts, pending, tokens int) {
	accounts, pending, tokens = s.opts.MaxAccounts, s.opts.MaxPending, s.opts.MaxTokens
	if accounts <= 0 {
		accounts = DefaultMaxAccounts
	}
	if pending <= 0 {
		pending = DefaultMaxPending
	}
	if tokens <= 0 {
		tokens = DefaultMaxTokens
	}
	return accounts, pending, tokens
}

// refused is the answer to a request beyond a limit.
func refused() reply { return ok(o("success", false, "error_message", msgHighUsage)) }

// pendingFor returns the sign-in in progress for phone, starting one when
// there is room; nil when the pending sign-ups are at their limit. A number
// keeps its count of wrong codes when it starts again.
func (c *call) pendingFor(phone string) *pendingAuth {
	if pa := c.w.pending[phone]; pa != nil {
		return pa
	}
	if _, max, _ := c.s.limits(); len(c.w.pending) >= max {
		return nil
	}
	pa := &pendingAuth{}
	c.w.pending[phone] = pa
	return pa
}

// canSignUp reports whether one more account may be created.
func (c *call) canSignUp() bool {
	max, _, _ := c.s.limits()
	return c.s.signups < max
}

// canIssueToken reports whether one more auth token may be issued.
func (c *call) canIssueToken() bool {
	_, _, max := c.s.limits()
	return len(c.w.tokens) < max
}
