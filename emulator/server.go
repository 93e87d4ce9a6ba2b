// Package emulator is a stateful Clubhouse (2021 app API) server: every
// operation of the chconform contract over a seeded, in-memory world, with
// the real server's auth, envelopes and HTTP habits, and every documented
// state reproducible on purpose. Use it in-process (Handler with httptest)
// or through cmd/clubhouse-emulator.
package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options configure a Server. The zero value is a working emulator.
type Options struct {
	// RequestLog, when set, receives one JSON line per request (see
	// LoggedRequest).
	RequestLog io.Writer
	// JWTSecret signs access and refresh tokens; DefaultJWTSecret when empty.
	JWTSecret []byte
	// MinAppVersion is the lowest CH-AppVersion that may join rooms;
	// DefaultMinAppVersion when empty.
	MinAppVersion string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// MaxLoggedRequests bounds the in-memory request log (oldest dropped);
	// 100000 when zero.
	MaxLoggedRequests int
	// MaxAccounts, MaxPending and MaxTokens bound the accounts signed up,
	// the sign-ins in progress and the auth tokens issued (limits.go);
	// the Default* values when zero.
	MaxAccounts, MaxPending, MaxTokens int
	// Fault, when set, is a deliberate bug (faults.go): the mutation
	// tool's identity faults, or the command's -fault flag.
	Fault Fault
}

// DefaultMinAppVersion is the lowest app version allowed to join rooms.
const DefaultMinAppVersion = "0.1.15"

// LatestAppBuild is the build check_for_update compares CH-AppBuild with.
const LatestAppBuild = 262

// LoggedRequest is one entry of the request log.
type LoggedRequest struct {
	Time      time.Time `json:"time"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Operation string    `json:"operation,omitempty"`
	Spec      string    `json:"spec,omitempty"`
	Status    int       `json:"status"`
	// Mutating is true for a request that changed (or could have changed)
	// the world: a write operation answered with a 2xx.
	Mutating bool `json:"mutating"`
}

// Server is one emulator instance with its own world.
type Server struct {
	opts     Options
	secret   []byte
	minVer   string
	mu       sync.Mutex
	w        *world
	accounts map[string]int64
	routes   map[string]*route
	logMu    sync.Mutex
	log      []LoggedRequest
	// signups counts the accounts created since start (MaxAccounts).
	signups int
	// recent and faultsFired serve Options.Fault (faults.go).
	recent      []*user
	faultsFired faultCounter
}

// New builds an emulator with a freshly seeded world.
func New(opts Options) *Server {
	s := &Server{opts: opts, secret: []byte(DefaultJWTSecret), minVer: DefaultMinAppVersion}
	if len(opts.JWTSecret) > 0 {
		s.secret = opts.JWTSecret
	}
	if opts.MinAppVersion != "" {
		s.minVer = opts.MinAppVersion
	}
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	if s.opts.MaxLoggedRequests <= 0 {
		s.opts.MaxLoggedRequests = 100000
	}
	s.w, s.accounts = newWorld(s.opts.Now())
	s.routes = routes()
	return s
}

// Requests returns a copy of the request log.
func (s *Server) Requests() []LoggedRequest {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return append([]LoggedRequest(nil), s.log...)
}

// Handler serves the API under /api/<operation> and a health check at
// /healthz.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

type handlerFunc func(c *call) reply

type route struct {
	id      string
	method  string // the contract's method
	allow   []string
	secured bool
	// optional: no token is needed, but one that is sent is authenticated
	// (DRF runs the authenticators before an AllowAny permission).
	optional bool
	mutating bool
	h        handlerFunc
}

type reply struct {
	status int
	body   any
}

func ok(body any) reply { return reply{200, body} }

func fail(e *apiError) reply { return reply{e.status, e.body} }

// call is one request being answered; it holds the world's lock.
type call struct {
	s   *Server
	w   *world
	r   *http.Request
	p   params
	u   *user
	now time.Time
}

var commonHeaders = [][2]string{
	{"X-Frame-Options", "DENY"},
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "same-origin"},
	{"Vary", "Origin"},
}

func (s *Server) serve(rw http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	var rt *route
	var rep reply
	switch {
	case path == "/healthz" || path == "/api/healthz":
		rep = ok(o("status", "ok", "operations", len(s.routes)))
	case strings.HasPrefix(path, "/api/"):
		name := strings.Trim(strings.TrimPrefix(path, "/api/"), "/")
		rt = s.routes[name]
		if rt == nil {
			rep = fail(detailError(404, "Not found."))
		} else {
			rep = s.answer(rt, r)
		}
	default:
		rep = fail(detailError(404, "Not found."))
	}
	data, err := marshal(rep.body)
	if err != nil { // cannot happen with the bodies built here; never a 5xx
		rep, data = reply{400, nil}, []byte(`{"detail":"Bad request."}`)
	}
	data = s.mistypeAnswer(rt, r, rep.status, data)
	h := rw.Header()
	h.Set("Content-Type", "application/json")
	for _, kv := range commonHeaders {
		h.Set(kv[0], kv[1])
	}
	if rt != nil {
		h.Set("Allow", strings.Join(rt.allow, ", "))
	}
	if rep.status == 401 {
		if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			h.Set("WWW-Authenticate", `Bearer realm="api"`)
		} else {
			h.Set("WWW-Authenticate", "Token")
		}
	}
	if strings.EqualFold(r.Header.Get("Connection"), "close") {
		h.Set("Connection", "close")
	}
	rw.WriteHeader(rep.status)
	_, _ = rw.Write(data)
	s.record(r, rt, rep.status)
}

func (s *Server) record(r *http.Request, rt *route, status int) {
	e := LoggedRequest{Time: s.opts.Now().UTC(), Method: r.Method, Path: r.URL.Path, Spec: r.Header.Get("X-Chconform-Spec"), Status: status}
	if rt != nil {
		e.Operation = rt.id
		e.Mutating = rt.mutating && status < 300 && r.Method != http.MethodOptions
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	if len(s.log) >= s.opts.MaxLoggedRequests {
		s.log = append(s.log[:0], s.log[len(s.log)/2:]...)
	}
	s.log = append(s.log, e)
	if s.opts.RequestLog != nil {
		line, _ := json.Marshal(e)
		_, _ = s.opts.RequestLog.Write(append(line, '\n'))
	}
}

// answer runs the pipeline DRF runs: authentication and permissions first,
// then the method, then the body, then the view.
func (s *Server) answer(rt *route, r *http.Request) reply {
	if r.ContentLength > MaxBodyBytes {
		return fail(tooLarge())
	}
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
		if err != nil {
			return fail(detailError(400, "Could not read the request body."))
		}
		if len(body) > MaxBodyBytes {
			return fail(tooLarge())
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &call{s: s, w: s.w, r: r, now: s.opts.Now()}
	if rt.secured || (rt.optional && r.Header.Get("Authorization") != "") {
		u, e := s.authenticate(r, c.now)
		if e != nil {
			return fail(e)
		}
		c.u = s.actAs(c, rt, u)
	}
	if r.Method == http.MethodOptions {
		return ok(o("name", viewName(rt.id), "description", "", "renders", []string{"application/json"},
			"parses", []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}))
	}
	if !allowed(rt, r.Method) {
		return fail(detailError(405, `Method "`+strings.ToUpper(r.Method)+`" not allowed.`))
	}
	p, e := DecodeRequest(r.Header.Get("Content-Type"), r.URL.RawQuery, body)
	if e != nil {
		return fail(e)
	}
	c.p = p
	return s.view(c, rt)
}

func allowed(rt *route, method string) bool {
	for _, m := range rt.allow {
		if m == method {
			return true
		}
	}
	return false
}

func viewName(id string) string {
	parts := strings.Split(id, "_")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, " ")
}

// authenticate is DRF's TokenAuthentication, then SimpleJWT's, then the
// IsAuthenticated permission and the ban.
func (s *Server) authenticate(r *http.Request, now time.Time) (*user, *apiError) {
	h := r.Header.Get("Authorization")
	fields := strings.Fields(h)
	var u *user
	switch {
	case len(fields) > 0 && strings.EqualFold(fields[0], "Token"):
		switch {
		case len(fields) == 1:
			return nil, detailError(401, "Invalid token header. No credentials provided.")
		case len(fields) > 2:
			return nil, detailError(401, "Invalid token header. Token string should not contain spaces.")
		}
		id, found := s.w.tokens[fields[1]]
		if !found || s.w.users[id] == nil {
			return nil, detailError(401, "Invalid token.")
		}
		u = s.w.users[id]
	case len(fields) > 0 && strings.EqualFold(fields[0], "Bearer"):
		if len(fields) != 2 {
			return nil, detailError(401, "Authorization header must contain two space-delimited values")
		}
		id, err := parseToken(s.secret, fields[1], "access", now)
		if err != nil || s.w.users[id] == nil {
			return nil, &apiError{401, o("detail", "Given token not valid for any token type", "code", "token_not_valid",
				"messages", []obj{o("token_class", "AccessToken", "token_type", "access", "message", "Token is invalid or expired")})}
		}
		u = s.w.users[id]
	default:
		return nil, detailError(401, "Authentication credentials were not provided.")
	}
	if u.Blocked {
		return nil, detailError(403, "You do not have permission to perform this action.")
	}
	return u, nil
}

// OperationIDs lists the operations the emulator serves.
func (s *Server) OperationIDs() []string {
	ids := make([]string, 0, len(s.routes))
	for id := range s.routes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// AccountToken returns the fixed auth token of a seeded account ("default",
// "waitlisted", "blocked") and its user id.
func (s *Server) AccountToken(name string) (token string, userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, found := s.accounts[name]
	if !found {
		return "", 0
	}
	for t, uid := range s.w.tokens {
		if uid == id && strings.HasPrefix(t, "c0ffee5eed") {
			return t, id
		}
	}
	return "", id
}
