package main

import (
	"context"
	"flag"
	"fmt"
	"os/signal"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
)

// runRaw is the floor of the throughput workload in Go: the same API traffic as the operator
// (one list of the namespace's ConfigMaps, a watch from its resourceVersion, one merge patch of
// the run annotation per object with its answer decoded, the watch event of each patch decoded)
// with client-go's typed client alone: no informer, no cache, no workqueue, no controller.
// c goroutines take the listed objects in turn. It prints the same "started" and "done" lines as
// the operator mode; "done" comes once every patch is answered and every patched object's event
// carrying the new annotation has arrived on the watch.
func runRaw(args []string) error {
	var namespace, run string
	var concurrency int
	fs := flag.NewFlagSet("raw", flag.ContinueOnError)
	fs.StringVar(&namespace, "namespace", "", "the namespace whose ConfigMaps are patched and watched")
	fs.IntVar(&concurrency, "concurrency", 1, "patches in flight")
	fs.StringVar(&run, "run", "", "the value written to the run annotation")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if namespace == "" || run == "" || concurrency <= 0 {
		return fmt.Errorf("raw needs -namespace, -run and -concurrency > 0")
	}
	// the operator mode's config: $KUBECONFIG, no client-side rate limiting (QPS -1)
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return err
	}
	cs, err := corev1client.NewForConfig(cfg)
	if err != nil {
		return err
	}
	configMaps := cs.ConfigMaps(namespace)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	body := []byte(fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, runAnnotation, run))

	startCPU := cpuMicros()
	startSys := sysMicros()
	started := time.Now()
	emit(map[string]any{"event": "started", "cpuUs": startCPU})
	list, err := configMaps.List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	w, err := configMaps.Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion, AllowWatchBookmarks: true})
	if err != nil {
		return err
	}
	defer w.Stop()
	emit(map[string]any{"event": "synced", "ms": millisSince(started), "cpuUs": cpuMicros() - startCPU})

	pending := make(map[string]bool, len(list.Items))
	for i := range list.Items {
		pending[list.Items[i].Name] = true
	}
	seen := make(chan error, 1)
	go func() { seen <- awaitEvents(w, run, pending) }()

	names := make(chan string, len(list.Items))
	for i := range list.Items {
		names <- list.Items[i].Name
	}
	close(names)
	var wg sync.WaitGroup
	errs := make(chan error, concurrency)
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range names {
				if _, err := configMaps.Patch(ctx, name, types.MergePatchType, body, metav1.PatchOptions{}); err != nil {
					errs <- fmt.Errorf("patch %s: %w", name, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if err := <-seen; err != nil {
		return err
	}
	emit(map[string]any{"event": "done", "ms": millisSince(started), "cpuUs": cpuMicros() - startCPU, "sysUs": sysMicros() - startSys, "objects": len(list.Items)})
	return nil
}

// awaitEvents reads decoded watch events until every name in pending has been seen with the run
// annotation.
func awaitEvents(w watch.Interface, run string, pending map[string]bool) error {
	left := len(pending)
	for ev := range w.ResultChan() {
		switch ev.Type {
		case watch.Error:
			return fmt.Errorf("watch error: %v", ev.Object)
		case watch.Added, watch.Modified:
			cm, ok := ev.Object.(*corev1.ConfigMap)
			if !ok || cm.Annotations[runAnnotation] != run || !pending[cm.Name] {
				continue
			}
			pending[cm.Name] = false
			if left--; left == 0 {
				return nil
			}
		}
	}
	return fmt.Errorf("the watch ended with %d changes unseen", left)
}
