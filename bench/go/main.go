// Command opkit-bench-go is the controller-runtime side of Opkit's benchmarks (bench/*.bench.ts).
// It runs one workload per process and prints JSON lines on stdout, the protocol the TypeScript
// benchmarks read (the Opkit side, bench/operator/opkit-operator.ts, prints the same lines):
//
//	{"event":"started", ...}  the manager is about to start (CPU and time marks taken here)
//	{"event":"synced", ...}   the caches have synced
//	{"event":"done", ...}     the throughput workload finished (cpuUs, and sysUs: its kernel share)
//	{"event":"reconciled", "seq": n, "mono": ns}  latency workload: a stamped change was reconciled
//
// Usage: opkit-bench-go operator -workload throughput|sync|latency -namespace NS [flags]
//
//	opkit-bench-go raw -namespace NS -run ID -concurrency C   (the throughput workload's traffic, client-go alone)
//	opkit-bench-go webhook -port P -cert-dir DIR   (ConfigMap defaulting + validating webhooks)
//
// The kubeconfig comes from $KUBECONFIG. Nothing here is a test; it is a baseline.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: opkit-bench-go operator|raw|webhook [flags]"))
	}
	var err error
	switch os.Args[1] {
	case "operator":
		err = runOperator(os.Args[2:])
	case "webhook":
		err = runWebhook(os.Args[2:])
	case "raw":
		err = runRaw(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q; use operator, raw or webhook", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "opkit-bench-go: %v\n", err)
	os.Exit(1)
}

// emit prints one JSON line on stdout.
func emit(fields map[string]any) {
	line, err := json.Marshal(fields)
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(append(line, '\n'))
}

// cpuMicros is this process's user + system CPU time so far, from getrusage(RUSAGE_SELF).
func cpuMicros() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		fail(err)
	}
	return ru.Utime.Sec*1_000_000 + ru.Utime.Usec + ru.Stime.Sec*1_000_000 + ru.Stime.Usec
}

// sysMicros is this process's system (kernel) CPU time so far, from getrusage(RUSAGE_SELF).
func sysMicros() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		fail(err)
	}
	return ru.Stime.Sec*1_000_000 + ru.Stime.Usec
}

// monoNanos reads CLOCK_MONOTONIC, the clock Node's process.hrtime reads, so that stamps written by
// the benchmark process can be compared with this process's.
func monoNanos() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		fail(err)
	}
	return ts.Nano()
}

// heapBytes is the live heap after two full collections (what the cache holds, plus the rest).
func heapBytes() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func millisSince(t time.Time) float64 {
	return float64(time.Since(t).Microseconds()) / 1000
}
