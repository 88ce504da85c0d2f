/**
 * A Manager whose API server is not there (a closed port): its informer's list fails and is
 * retried with backoff, and the transport probes `/readyz`, so between attempts nothing but
 * unref'd timers is pending. Log lines go to stdout as `<level> <msg>`. Used by
 * test/integration/manager/keep-alive.test.ts; stops on SIGTERM.
 */
import { ConfigMap } from '../../runtime/src/api/builtins.js';
import { controller } from '../../runtime/src/controller/builder.js';
import type { Logger } from '../../runtime/src/log/logger.js';
import { Manager } from '../../runtime/src/manager/manager.js';
import { setupSignalHandler } from '../../runtime/src/manager/signals.js';

const [server = 'https://127.0.0.1:1'] = process.argv.slice(2);
const line =
  (level: string) =>
  (msg: string): void =>
    void process.stdout.write(`${level} ${msg}\n`);
const logger: Logger = { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error'), child: () => logger };
const mgr = new Manager({ kubeConfig: { server }, logger });
controller(mgr)
  .for(ConfigMap)
  .reconcile(async () => undefined);
await mgr.start(setupSignalHandler());
