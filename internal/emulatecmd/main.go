// Command clubhouse-emulator serves the chconform Clubhouse emulator: every
// operation of the contract over a seeded in-memory world, under /api.
//
//	clubhouse-emulator -addr 127.0.0.1:8080 [-request-log FILE] [-jwt-secret KEY|published]
//	                   [-max-accounts N] [-max-pending N] [-max-tokens N]
//	                   [-fault KIND:operationId]
//
// It prints one line once it listens ("clubhouse-emulator listening on
// http://127.0.0.1:PORT/api"; -addr 127.0.0.1:0 picks a free port) and shuts
// down cleanly on SIGINT or SIGTERM.
//
// Access and refresh tokens are signed with a random key made at each start
// and printed once on stderr, unless -jwt-secret names one: "published" is
// the published test key emulator.DefaultJWTSecret, which the JWTs of
// profiles/emulator.yaml are signed with (scripts/conformance-emulator.sh
// asks for it). -fault turns on one deliberate bug (emulator.FaultKinds;
// mistyped-field:OP gives one field of OP's answers the wrong JSON type), so
// a validator in front of the emulator can be shown naming it; it is
// announced on stderr. Listening on an address other than loopback is allowed, with
// a warning: the seeded accounts' credentials are public.
package emulatecmd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/chconform/chconform/emulator"
)

// Main serves the emulator until SIGINT or SIGTERM: `chconform emulate`.
func Main(args []string) int { return run(args) }

func run(args []string) int {
	fs := flag.NewFlagSet("chconform emulate", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	logPath := fs.String("request-log", "", "append one JSON line per request to this file")
	minVersion := fs.String("min-app-version", emulator.DefaultMinAppVersion, "lowest CH-AppVersion allowed to join rooms")
	jwtSecret := fs.String("jwt-secret", "", `key that signs access and refresh tokens; "published" for the published test key (emulator.DefaultJWTSecret, which profiles/emulator.yaml's JWTs need); default: a random key per start, printed once on stderr`)
	maxAccounts := fs.Int("max-accounts", emulator.DefaultMaxAccounts, "accounts that may be signed up; beyond, sign-up answers the high-usage message")
	maxPending := fs.Int("max-pending", emulator.DefaultMaxPending, "phone numbers that may have a sign-in in progress; beyond, the high-usage message")
	fault := fs.String("fault", "", "KIND:operationId: one deliberate bug, e.g. mistyped-field:me (one documented field of the answer gets the wrong JSON type)")
	maxTokens := fs.Int("max-tokens", emulator.DefaultMaxTokens, "auth tokens that may be issued; beyond, sign-in answers the high-usage message")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *maxAccounts <= 0 || *maxPending <= 0 || *maxTokens <= 0 {
		fmt.Fprintln(os.Stderr, "clubhouse-emulator: -max-accounts, -max-pending and -max-tokens must be positive")
		return 2
	}
	opts := emulator.Options{MinAppVersion: *minVersion, MaxAccounts: *maxAccounts, MaxPending: *maxPending, MaxTokens: *maxTokens}
	if *fault != "" {
		f, err := emulator.ParseFault(*fault)
		if err != nil {
			fmt.Fprintf(os.Stderr, "clubhouse-emulator: -fault: %v\n", err)
			return 2
		}
		opts.Fault = f
		// On stderr, so the health line stays the first line of stdout.
		fmt.Fprintf(os.Stderr, "clubhouse-emulator: fault on: %s on %s\n", f.Kind, f.Op)
	}
	switch *jwtSecret {
	case "published":
		opts.JWTSecret = []byte(emulator.DefaultJWTSecret)
	case "":
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			fmt.Fprintf(os.Stderr, "clubhouse-emulator: %v\n", err)
			return 2
		}
		opts.JWTSecret = []byte(hex.EncodeToString(key))
		fmt.Fprintf(os.Stderr, "clubhouse-emulator: JWT signing key for this run (random; -jwt-secret to choose one): %s\n", opts.JWTSecret)
	default:
		if len(*jwtSecret) < 16 {
			fmt.Fprintln(os.Stderr, `clubhouse-emulator: -jwt-secret: at least 16 characters, or "published" for the published test key`)
			return 2
		}
		opts.JWTSecret = []byte(*jwtSecret)
	}
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "clubhouse-emulator: %v\n", err)
			return 2
		}
		defer f.Close()
		opts.RequestLog = f
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "clubhouse-emulator: %v\n", err)
		return 2
	}
	if warning := exposureWarning(ln.Addr()); warning != "" {
		fmt.Fprintln(os.Stderr, warning)
	}
	srv := &http.Server{
		Handler:           emulator.New(opts).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Printf("clubhouse-emulator listening on http://%s/api\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "clubhouse-emulator: %v\n", err)
			return 1
		}
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			fmt.Fprintf(os.Stderr, "clubhouse-emulator: shutdown: %v\n", err)
			return 1
		}
		fmt.Println("clubhouse-emulator stopped")
	}
	return 0
}

// exposureWarning is the warning printed when the emulator listens where
// other hosts can reach it ("" on loopback): its seeded accounts, their
// tokens and the verification code are published, so anyone who reaches it
// can act as them.
func exposureWarning(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() {
		return ""
	}
	return fmt.Sprintf("clubhouse-emulator: warning: listening on %s, which is not a loopback address: "+
		"its seeded accounts and the verification code are public, anyone who reaches it can use them", addr)
}
