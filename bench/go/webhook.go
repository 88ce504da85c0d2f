package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// The labels the admission handlers read and set (the same as the Opkit webhook's).
const (
	ownerLabel = "bench.opkit.dev/owner"
	tierLabel  = "bench.opkit.dev/tier"
)

// configMapDefaulter sets the tier label when it is missing.
type configMapDefaulter struct{}

func (configMapDefaulter) Default(_ context.Context, cm *corev1.ConfigMap) error {
	if cm.Labels == nil {
		cm.Labels = map[string]string{}
	}
	if _, ok := cm.Labels[tierLabel]; !ok {
		cm.Labels[tierLabel] = "standard"
	}
	return nil
}

// configMapValidator denies a ConfigMap without the owner label on create and update.
type configMapValidator struct{}

func requireOwner(cm *corev1.ConfigMap) (admission.Warnings, error) {
	if cm.Labels[ownerLabel] == "" {
		return nil, fmt.Errorf("metadata.labels[%s]: Required value: every ConfigMap here names its owner", ownerLabel)
	}
	return nil, nil
}

func (configMapValidator) ValidateCreate(_ context.Context, cm *corev1.ConfigMap) (admission.Warnings, error) {
	return requireOwner(cm)
}

func (configMapValidator) ValidateUpdate(_ context.Context, _, cm *corev1.ConfigMap) (admission.Warnings, error) {
	return requireOwner(cm)
}

func (configMapValidator) ValidateDelete(context.Context, *corev1.ConfigMap) (admission.Warnings, error) {
	return nil, nil
}

// runWebhook serves the defaulting and validating webhooks of ConfigMaps on 127.0.0.1:-port
// with the certificate in -cert-dir (tls.crt, tls.key), through a manager, as a kubebuilder
// project does; prints {"event":"serving",...} once the server answers.
func runWebhook(args []string) error {
	fs := flag.NewFlagSet("webhook", flag.ContinueOnError)
	port := fs.Int("port", 0, "the port to serve on")
	certDir := fs.String("cert-dir", "", "the directory holding tls.crt and tls.key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *port <= 0 || *certDir == "" {
		return errors.New("-port and -cert-dir are required")
	}
	log.SetLogger(logrDiscard())
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		WebhookServer:          webhook.NewServer(webhook.Options{Host: "127.0.0.1", Port: *port, CertDir: *certDir}),
	})
	if err != nil {
		return err
	}
	if err := ctrl.NewWebhookManagedBy(mgr, &corev1.ConfigMap{}).
		WithDefaulter(configMapDefaulter{}).
		WithValidator(configMapValidator{}).
		Complete(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	emit(map[string]any{"event": "started", "cpuUs": cpuMicros()})
	errs := make(chan error, 1)
	go func() { errs <- mgr.Start(ctx) }()
	started := mgr.GetWebhookServer().StartedChecker()
	for started(&http.Request{}) != nil {
		select {
		case err := <-errs:
			return err
		case <-time.After(10 * time.Millisecond):
		}
	}
	emit(map[string]any{"event": "serving", "mutatePath": "/mutate--v1-configmap", "validatePath": "/validate--v1-configmap"})
	return <-errs
}
