import { describe, expect, test } from 'vitest';
import { ScaffoldError } from '../../../generators/shared/errors.js';
import { registerController } from '../../../generators/shared/main-edit.js';

const registration = { functionName: 'registerCacheController', importPath: './controllers/cache.controller.js' };

const MAIN = `import { KubeConfig } from '@kubernetes/client-node';
import { Manager } from '@opkit/runtime';
import { registerWebController } from './controllers/web.controller.js';

const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault();
const mgr = new Manager({ kubeConfig });

registerWebController(mgr);

const stop = new AbortController();
await mgr.start(stop.signal);
`;

// The first test loads ts-morph (seconds on a busy machine).
describe('registerController', { timeout: 30_000 }, () => {
  test('adds the import after the others and the call after the last registration', async () => {
    const edited = await registerController(MAIN, registration);
    expect(edited).toContain("import { registerWebController } from './controllers/web.controller.js';\nimport { registerCacheController } from './controllers/cache.controller.js';\n");
    expect(edited).toContain('registerWebController(mgr);\nregisterCacheController(mgr);\n');
    expect(edited.indexOf('registerCacheController(mgr)')).toBeLessThan(edited.indexOf('mgr.start('));
  });

  test('is idempotent: a second run returns the text unchanged', async () => {
    const once = await registerController(MAIN, registration);
    expect(await registerController(once, registration)).toBe(once);
  });

  test('follows the names the file uses: an aliased Manager and another variable', async () => {
    const text = `import { Manager as M } from '@opkit/runtime';\nconst manager = new M({ kubeConfig });\nvoid manager.start(signal);\n`;
    const edited = await registerController(text, registration);
    expect(edited).toContain('const manager = new M({ kubeConfig });\nregisterCacheController(manager);\n');
  });

  test('merges into an existing import of the same module', async () => {
    const text = MAIN.replace("import { registerWebController } from './controllers/web.controller.js';", "import { other } from './controllers/cache.controller.js';\nimport { registerWebController } from './controllers/web.controller.js';");
    const edited = await registerController(text, registration);
    expect(edited).toContain("import { other, registerCacheController } from './controllers/cache.controller.js';");
  });

  test.each([
    ['no Manager import', "const mgr = {};\nawait mgr.start();\n", /does not import Manager from @opkit\/runtime/],
    ['no new Manager', "import { Manager } from '@opkit/runtime';\nexport function make() { return new Manager({}); }\n", /no top-level `const <name> = new Manager\(...\)`/],
    ['no start', "import { Manager } from '@opkit/runtime';\nconst mgr = new Manager({});\n", /no `mgr.start\(...\)` after/],
  ])('refuses a main.ts with %s, naming the file and what it expected', async (_what, text, message) => {
    const error = await registerController(text, registration).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ScaffoldError);
    expect((error as ScaffoldError).reason).toBe('MainNotUnderstood');
    expect((error as ScaffoldError).message).toMatch(/^src\/main\.ts: /);
    expect((error as ScaffoldError).message).toMatch(message);
  });
});
