package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

// The annotations the workloads read and write (the same names as the Opkit program's).
const (
	runAnnotation = "bench.opkit.dev/run"
	seqAnnotation = "bench.opkit.dev/seq"
)

type operatorFlags struct {
	workload      string
	namespace     string
	count         int
	concurrency   int
	run           string
	managedFields string
}

func runOperator(args []string) error {
	var f operatorFlags
	fs := flag.NewFlagSet("operator", flag.ContinueOnError)
	fs.StringVar(&f.workload, "workload", "", "throughput | sync | latency")
	fs.StringVar(&f.namespace, "namespace", "", "the namespace to watch and cache")
	fs.IntVar(&f.count, "count", 0, "throughput: finish after this many patches")
	fs.IntVar(&f.concurrency, "concurrency", 1, "MaxConcurrentReconciles")
	fs.StringVar(&f.run, "run", "", "throughput: the value written to the run annotation")
	fs.StringVar(&f.managedFields, "managed-fields", "keep", "keep (controller-runtime's default) | strip (TransformStripManagedFields)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.namespace == "" {
		return fmt.Errorf("-namespace is required")
	}
	if f.workload == "throughput" && (f.count <= 0 || f.run == "") {
		return fmt.Errorf("the throughput workload needs -count > 0 and -run")
	}
	if f.managedFields != "keep" && f.managedFields != "strip" {
		return fmt.Errorf("-managed-fields must be keep or strip, not %q", f.managedFields)
	}
	log.SetLogger(logrDiscard())

	// GetConfig reads $KUBECONFIG and disables client-side rate limiting (QPS -1), as in every
	// controller-runtime operator; Opkit has no client-side rate limiter either.
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return err
	}
	cacheOpts := cache.Options{DefaultNamespaces: map[string]cache.Config{f.namespace: {}}}
	if f.managedFields == "strip" {
		cacheOpts.DefaultTransform = cache.TransformStripManagedFields()
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Cache:                  cacheOpts,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	var rec reconcileFunc
	done := make(chan struct{})
	switch f.workload {
	case "throughput":
		rec = throughputReconciler(mgr.GetClient(), f, done)
	case "latency":
		rec = latencyReconciler(mgr.GetClient())
	case "sync":
		// only the cache: one ConfigMap informer, no controller (its queue would be counted too)
		if _, err := mgr.GetCache().GetInformer(ctx, &corev1.ConfigMap{}); err != nil {
			return err
		}
	default:
		return fmt.Errorf("-workload must be throughput, sync or latency, not %q", f.workload)
	}
	if rec != nil {
		if err := ctrl.NewControllerManagedBy(mgr).
			For(&corev1.ConfigMap{}).
			Named("bench").
			WithOptions(controller.Options{MaxConcurrentReconciles: f.concurrency}).
			Complete(rec); err != nil {
			return err
		}
	}
	startCPU := cpuMicros()
	startSys := sysMicros()
	started := time.Now()
	emit(map[string]any{"event": "started", "cpuUs": startCPU})
	errs := make(chan error, 1)
	go func() { errs <- mgr.Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		return fmt.Errorf("caches did not sync")
	}
	synced := map[string]any{"event": "synced", "ms": millisSince(started), "cpuUs": cpuMicros() - startCPU}
	if f.workload == "sync" {
		synced["heapBytes"] = heapBytes()
	}
	emit(synced)

	if f.workload == "throughput" {
		select {
		case <-done:
			emit(map[string]any{"event": "done", "ms": millisSince(started), "cpuUs": cpuMicros() - startCPU, "sysUs": sysMicros() - startSys, "objects": f.count})
			return nil
		case err := <-errs:
			return err
		}
	}
	// sync and latency run until SIGTERM
	return <-errs
}

type reconcileFunc func(context.Context, ctrl.Request) (ctrl.Result, error)

func (r reconcileFunc) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return r(ctx, req)
}

// throughputReconciler: a cached get, then one merge patch of the run annotation when it differs;
// closes done after count patches.
func throughputReconciler(c client.Client, f operatorFlags, done chan<- struct{}) reconcileFunc {
	var patched atomic.Int64
	body := []byte(fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, runAnnotation, f.run))
	return func(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
		var cm corev1.ConfigMap
		if err := c.Get(ctx, req.NamespacedName, &cm); err != nil {
			return ctrl.Result{}, client.IgnoreNotFound(err)
		}
		if cm.Annotations[runAnnotation] == f.run {
			return ctrl.Result{}, nil
		}
		if err := c.Patch(ctx, &cm, client.RawPatch(types.MergePatchType, body)); err != nil {
			return ctrl.Result{}, err
		}
		if patched.Add(1) == int64(f.count) {
			close(done)
		}
		return ctrl.Result{}, nil
	}
}

// latencyReconciler reports, for each new sequence number it sees, when its reconcile began.
func latencyReconciler(c client.Client) reconcileFunc {
	lastSeq := map[string]string{}
	var mu sync.Mutex
	return func(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
		now := monoNanos()
		var cm corev1.ConfigMap
		if err := c.Get(ctx, req.NamespacedName, &cm); err != nil {
			return ctrl.Result{}, client.IgnoreNotFound(err)
		}
		seq := cm.Annotations[seqAnnotation]
		mu.Lock()
		seen := lastSeq[req.Name] == seq
		lastSeq[req.Name] = seq
		mu.Unlock()
		if seq == "" || seen {
			return ctrl.Result{}, nil
		}
		n, err := strconv.Atoi(seq)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bad %s %q\n", seqAnnotation, seq)
			return ctrl.Result{}, nil
		}
		emit(map[string]any{"event": "reconciled", "name": req.Name, "seq": n, "mono": now})
		return ctrl.Result{}, nil
	}
}
