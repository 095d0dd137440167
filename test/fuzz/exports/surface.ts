// The public surface of the package, read from what users get: the declaration files of every entry point
// in package.json "exports" (dist/types/<entry>.d.ts, built by npm run build). For each runtime export:
// whether it is a function, a class (with its public instance and static methods) or a plain value.
// Private and protected members (still present on prototypes at run time) are left out.
import { existsSync, readFileSync } from 'node:fs';
import ts from 'typescript';

/** One runtime export of one entry point. */
export interface ExportInfo {
  /** The package subpath: ".", "./infer", ... */
  entry: string;
  name: string;
  kind: 'function' | 'class' | 'value';
  /** A function of the engine contract (a parameter takes kernels, an arena, raw wasm exports...): createKernels, referenceRaw. */
  engineFunction: boolean;
  /** Public instance methods of a class (own and inherited, without the constructor). */
  methods: string[];
  /**
   * Public methods of the engine contract: a parameter takes an engine-internal object (kernels, pointers,
   * a run context, a planner, a gradient table...). The model engine calls them with arguments it built
   * and checked; a user implements them in a custom layer/loss/optimizer rather than calling them.
   */
  engineMethods: string[];
  /** The constructor is private, or takes an engine-internal object (InferenceModel(checkpoint, kernels), ...): built by a loader, not by users. */
  engineConstructor: boolean;
  /** Public static methods of a class; for a plain object export, its function-valued properties. */
  statics: string[];
  /**
   * The most parameters any declaration of each callable takes (overloads included), keyed "call", "new",
   * ".static" or "#method": callables with 2 or more get junk second arguments in the sweep.
   */
  arity: Record<string, number>;
  /** Where each callable (same keys) takes an options or logs object: the parameter named options, opts or logs. */
  slots: Record<string, OptionSlot>;
}

/** An options-object parameter: its position and name. */
export interface OptionSlot { index: number; name: string }

/** The first parameter named options/opts/logs over the signatures, or none. */
function slotOf(sigs: readonly ts.Signature[]): OptionSlot | undefined {
  for (const g of sigs) {
    const index = g.parameters.findIndex((p) => /^(options|opts|logs)$/.test(p.name));
    if (index >= 0) return { index, name: g.parameters[index].name };
  }
  return undefined;
}

/** The most parameters over signatures. */
const most = (sigs: readonly ts.Signature[]): number => Math.max(0, ...sigs.map((g) => g.parameters.length));

/** The entry points of package.json "exports" with their declaration file (./package.json left out). */
export function entryPoints(root = '.'): Array<{ entry: string; types: string; module: string }> {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { exports: Record<string, { import?: { types: string; default: string } }> };
  return Object.entries(pkg.exports).filter(([, v]) => typeof v === 'object' && v.import).map(([entry, v]) => ({ entry, types: `${root}/${v.import!.types}`, module: `${root}/${v.import!.default}` }));
}

/** Types only the engine builds: a method taking one is part of the engine contract (see ExportInfo.engineMethods). */
export const ENGINE_TYPES = ['Kernels', 'Ptr', 'RunContext', 'Planner', 'Port', 'GradTable', 'ParamEntry', 'TensorData', 'LossCall', 'OutputLayer', 'LayerState', 'StoredCheckpoint', 'InferKernels', 'Arena', 'StreamHost', 'RawKernels'];
/**
 * The layer planning contract: methods the model's planner calls with shapes it derived and checked
 * (a custom layer implements them). computeOutputShape, getConfig and apply stay user-facing.
 */
export const LAYER_PLANNING = ['declareParams', 'computeOutputShapes', 'outputSteps', 'outputLength', 'propagatesMask', 'twin', 'fuseOutputActivation', 'unfuseOutputActivation', 'cellShape', 'savedGates'];
const engineParam = new RegExp(`\\b(${ENGINE_TYPES.join('|')})\\b`);

const hidden = (d: ts.Declaration) => (ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 || (ts.isClassElement(d) && d.name !== undefined && ts.isPrivateIdentifier(d.name));

/** Every runtime export of every entry point (types and interfaces are not runtime exports). */
export function publicSurface(root = '.'): ExportInfo[] {
  const entries = entryPoints(root);
  for (const e of entries) if (!existsSync(e.types)) throw new Error(`${e.types} is missing: run npm run build first`);
  const program = ts.createProgram(entries.map((e) => e.types), { noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const out: ExportInfo[] = [];
  for (const e of entries) {
    const file = program.getSourceFile(e.types)!;
    const moduleSymbol = checker.getSymbolAtLocation(file)!;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const sym = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (!(sym.flags & ts.SymbolFlags.Value)) continue; // a type or interface only
      const info: ExportInfo = { entry: e.entry, name: exported.name, kind: 'value', engineFunction: false, methods: [], engineMethods: [], engineConstructor: false, statics: [], arity: {}, slots: {} };
      if (sym.flags & ts.SymbolFlags.Class) {
        info.kind = 'class';
        const decl = sym.valueDeclaration ?? sym.declarations![0];
        const instance = checker.getDeclaredTypeOfSymbol(sym);
        for (const p of checker.getPropertiesOfType(instance)) {
          const d = p.valueDeclaration ?? p.declarations?.[0];
          if (!d || hidden(d) || !(p.flags & ts.SymbolFlags.Method)) continue;
          const params = ts.isMethodDeclaration(d) || ts.isMethodSignature(d) ? d.parameters : [];
          const planning = LAYER_PLANNING.includes(p.name) && checker.getPropertyOfType(instance, 'computeOutputShape') !== undefined;
          if (planning || params.some((q) => q.type && engineParam.test(q.type.getText()))) info.engineMethods.push(p.name);
          else info.methods.push(p.name);
          const sigs = checker.getTypeOfSymbolAtLocation(p, d).getCallSignatures();
          info.arity[`#${p.name}`] = most(sigs);
          const slot = slotOf(sigs);
          if (slot) info.slots[`#${p.name}`] = slot;
        }
        const statics = checker.getTypeOfSymbolAtLocation(sym, decl);
        const privateCtor = ts.isClassDeclaration(decl) && decl.members.some((m) => ts.isConstructorDeclaration(m) && hidden(m));
        info.engineConstructor = privateCtor || statics.getConstructSignatures().some((sig) => sig.parameters.some((q) => {
          const d = q.valueDeclaration;
          return d !== undefined && ts.isParameter(d) && d.type !== undefined && engineParam.test(d.type.getText());
        }));
        for (const p of checker.getPropertiesOfType(statics)) {
          const d = p.valueDeclaration ?? p.declarations?.[0];
          if (!d || hidden(d) || !(p.flags & ts.SymbolFlags.Method) || p.name === 'prototype') continue;
          info.statics.push(p.name);
          const sigs = checker.getTypeOfSymbolAtLocation(p, d).getCallSignatures();
          info.arity[`.${p.name}`] = most(sigs);
          const slot = slotOf(sigs);
          if (slot) info.slots[`.${p.name}`] = slot;
        }
        info.arity.new = most(statics.getConstructSignatures());
        const ctorSlot = slotOf(statics.getConstructSignatures());
        if (ctorSlot) info.slots.new = ctorSlot;
      } else if (sym.flags & ts.SymbolFlags.Function) {
        info.kind = 'function';
        info.engineFunction = (sym.declarations ?? []).some((d) => ts.isFunctionDeclaration(d) && d.parameters.some((q) => q.type !== undefined && engineParam.test(q.type.getText())));
        const sigs = checker.getTypeOfSymbolAtLocation(sym, sym.valueDeclaration ?? sym.declarations![0]).getCallSignatures();
        info.arity.call = most(sigs);
        const slot = slotOf(sigs);
        if (slot) info.slots.call = slot;
      }
      else {
        // a const: a function value (const f = () => ...) counts as a function
        const type = checker.getTypeOfSymbolAtLocation(sym, sym.valueDeclaration ?? sym.declarations![0]);
        if (type.getCallSignatures().length) info.kind = 'function';
        info.arity.call = most(type.getCallSignatures());
        const slot = slotOf(type.getCallSignatures());
        if (slot) info.slots.call = slot;
        // an object of functions (fusedLayers.lstm(...)): its functions are swept like static methods
        if (info.kind === 'value') {
          for (const p of checker.getPropertiesOfType(type)) {
            // only the package's own properties (a string or array constant brings lib methods: slice, map...)
            if (!p.declarations?.length || p.declarations.some((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()))) continue;
            const sigs = checker.getTypeOfSymbolAtLocation(p, p.valueDeclaration ?? p.declarations?.[0] ?? sym.valueDeclaration!).getCallSignatures();
            if (sigs.length === 0) continue;
            info.statics.push(p.name);
            info.arity[`.${p.name}`] = most(sigs);
            const pslot = slotOf(sigs);
            if (pslot) info.slots[`.${p.name}`] = pslot;
          }
        }
      }
      out.push(info);
    }
  }
  return out;
}
