/**
 * TensorFlow.js is an optional peer of qahan (QUBO users install none of it): the training entry point and
 * the commands that train check for it first and say what to install, instead of a bare "Cannot find module".
 */
const NEEDED = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'];

/** Names of the TensorFlow.js packages that do not resolve from here (empty when training can load). */
export function missingTrainingPackages(): string[] {
  return NEEDED.filter((name) => {
    try {
      require.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

/** Throws an Error naming the packages to install when training cannot load. */
export function requireTrainingPackages(what = 'qahan/train'): void {
  const missing = missingTrainingPackages();
  if (missing.length === 0) return;
  const err = new Error(
    `${what} needs TensorFlow.js, an optional peer dependency of qahan: npm install ${NEEDED.join(' ')}@4.22.0` +
      ` (missing: ${missing.join(', ')}; add @tensorflow/tfjs-node@4.22.0 for the native backend)`,
  );
  err.name = 'MissingPeerDependencyError';
  throw err;
}

