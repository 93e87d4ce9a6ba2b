// Command clubhouse-emulator serves the chconform Clubhouse emulator: every
// operation of the contract over a seeded in-memory world, under /api.
//
//	clubhouse-emulator -addr 127.0.0.1:8080 [-request-log FILE]
//
// It prints one line once it listens ("clubhouse-emulator listening on
// http://127.0.0.1:PORT/api"; -addr 127.0.0.1:0 picks a free port) and shuts
// down cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
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

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("clubhouse-emulator", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	logPath := fs.String("request-log", "", "append one JSON line per request to this file")
	minVersion := fs.String("min-app-version", emulator.DefaultMinAppVersion, "lowest CH-AppVersion allowed to join rooms")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	opts := emulator.Options{MinAppVersion: *minVersion}
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
