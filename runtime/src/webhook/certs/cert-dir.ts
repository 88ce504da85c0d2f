/**
 * Writing the serving certificate into the webhook server's certificate directory, where the
 * server watches the files and reloads them.
 * @module
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CertManagerError } from './errors.js';

/** The files of a certificate directory and their contents. */
export interface CertFiles {
  readonly dir: string;
  /** File name of the certificate (default `tls.crt`). */
  readonly certName?: string | undefined;
  /** File name of the key (default `tls.key`). */
  readonly keyName?: string | undefined;
  /** File name of the CA bundle (default `ca.crt`). */
  readonly caName?: string | undefined;
}

async function same(path: string, content: string): Promise<boolean> {
  try {
    return (await readFile(path, 'utf8')) === content;
  } catch {
    return false;
  }
}

/** Replaces `path` by `content` in one rename (readers see the old or the new file, never a part). */
async function replace(path: string, content: string, mode: number): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, content, { mode });
  await rename(temp, path);
}

/**
 * Writes the key, then the certificate, then the bundle, each only when it changed.
 *
 * Guarantees: each file is replaced atomically; the key file is readable by its owner only.
 * Caveats: between the key's and the certificate's rename a reader may see a new key with the old
 * certificate; a reloading server must keep its previous pair until the two match.
 * @returns whether any file changed.
 * @throws CertManagerError `CertDirFailed` naming the directory.
 */
export async function writeCertFiles(files: CertFiles, pair: { readonly cert: string; readonly key: string; readonly caBundle: string }): Promise<boolean> {
  const entries: Array<[string, string, number]> = [
    [join(files.dir, files.keyName ?? 'tls.key'), pair.key, 0o600],
    [join(files.dir, files.certName ?? 'tls.crt'), pair.cert, 0o644],
    [join(files.dir, files.caName ?? 'ca.crt'), pair.caBundle, 0o644],
  ];
  try {
    await mkdir(files.dir, { recursive: true });
    let changed = false;
    for (const [path, content, mode] of entries) {
      if (await same(path, content)) continue;
      await replace(path, content, mode);
      changed = true;
    }
    return changed;
  } catch (cause) {
    throw new CertManagerError({ reason: 'CertDirFailed', message: `cannot write the webhook certificates into ${files.dir}: ${(cause as Error).message}`, cause });
  }
}
