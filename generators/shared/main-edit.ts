/**
 * Registers a controller in a project's `src/main.ts` by editing its syntax tree (ts-morph): adds
 * the import and the `registerXController(mgr)` call. Idempotent; refuses a file it does not
 * understand rather than guessing.
 * @module
 */
import { ScaffoldError } from './errors.js';

/** What to register: `import { <functionName> } from '<importPath>'` and `<functionName>(mgr);`. */
export interface ControllerRegistration {
  readonly functionName: string;
  readonly importPath: string;
}

const HINT =
  'expected, at the top level, `const <name> = new Manager(...)` (Manager imported from @opkit/runtime) and later `await <name>.start(...)`';

function notUnderstood(file: string, what: string, registration: ControllerRegistration): ScaffoldError {
  return new ScaffoldError({
    reason: 'MainNotUnderstood',
    message:
      `${file}: ${what}; ${HINT}. Nothing was written. Register the controller by hand:\n` +
      `  import { ${registration.functionName} } from '${registration.importPath}';\n` +
      `  ${registration.functionName}(mgr);`,
  });
}

/**
 * Returns `text` with the controller registered: the import (merged into an existing import of the
 * same module) and the call, placed after the last top-level statement that passes the manager to
 * a function (else right after the manager is created) and before the manager starts.
 *
 * Guarantees: returns `text` unchanged (the same string) when both are already there; loads
 * ts-morph only when called.
 * @throws ScaffoldError `MainNotUnderstood` (naming `file`) when there is no top-level
 * `new Manager(...)` bound to a name, or no `<name>.start(...)` after it.
 */
export async function registerController(text: string, registration: ControllerRegistration, file = 'src/main.ts'): Promise<string> {
  const { Project, SyntaxKind, Node, QuoteKind } = await import('ts-morph');
  const quoteKind = /^import .* from "/m.test(text) ? QuoteKind.Double : QuoteKind.Single;
  const project = new Project({ useInMemoryFileSystem: true, skipAddingFilesFromTsConfig: true, manipulationSettings: { quoteKind } });
  const source = project.createSourceFile('main.ts', text);

  const runtimeImport = source.getImportDeclaration((d) => d.getModuleSpecifierValue() === '@opkit/runtime');
  const managerName = runtimeImport?.getNamedImports().find((n) => n.getName() === 'Manager');
  if (managerName === undefined) throw notUnderstood(file, 'it does not import Manager from @opkit/runtime', registration);
  const managerLocal = managerName.getAliasNode()?.getText() ?? 'Manager';

  const statements = source.getStatements();
  let managerIndex = -1;
  let managerVar = '';
  statements.forEach((statement, index) => {
    if (managerIndex >= 0 || !Node.isVariableStatement(statement)) return;
    for (const declaration of statement.getDeclarations()) {
      const init = declaration.getInitializer();
      if (init !== undefined && Node.isNewExpression(init) && init.getExpression().getText() === managerLocal && Node.isIdentifier(declaration.getNameNode())) {
        managerIndex = index;
        managerVar = declaration.getName();
      }
    }
  });
  if (managerIndex < 0) throw notUnderstood(file, `no top-level \`const <name> = new ${managerLocal}(...)\``, registration);

  const callsOn = (statementIndex: number, predicate: (callee: string, args: string[]) => boolean): boolean => {
    const statement = statements[statementIndex];
    if (statement === undefined) return false;
    return statement
      .getDescendantsOfKind(SyntaxKind.CallExpression)
      .some((call) => predicate(call.getExpression().getText(), call.getArguments().map((a) => a.getText())));
  };
  const startIndex = statements.findIndex((_, i) => i > managerIndex && callsOn(i, (callee) => callee === `${managerVar}.start`));
  if (startIndex < 0) throw notUnderstood(file, `no \`${managerVar}.start(...)\` after \`const ${managerVar} = new ${managerLocal}(...)\``, registration);

  let changed = false;
  const existingImport = source.getImportDeclaration((d) => d.getModuleSpecifierValue() === registration.importPath);
  if (existingImport === undefined) {
    const imports = source.getImportDeclarations();
    source.insertImportDeclaration(imports.length, { moduleSpecifier: registration.importPath, namedImports: [registration.functionName] });
    changed = true;
  } else if (!existingImport.getNamedImports().some((n) => n.getName() === registration.functionName)) {
    existingImport.addNamedImport(registration.functionName);
    changed = true;
  }

  const registered = statements.some((_, i) => callsOn(i, (callee, args) => callee === registration.functionName && args[0] === managerVar));
  if (!registered) {
    let insertAfter = managerIndex;
    for (let i = managerIndex + 1; i < startIndex; i += 1) {
      if (callsOn(i, (callee, args) => args.includes(managerVar) && !callee.startsWith(`${managerVar}.`))) insertAfter = i;
    }
    const anchor = statements[insertAfter];
    if (anchor === undefined) throw notUnderstood(file, 'the statements changed while editing', registration);
    source.insertStatements(anchor.getChildIndex() + 1, `${registration.functionName}(${managerVar});`);
    changed = true;
  }
  return changed ? source.getFullText() : text;
}
