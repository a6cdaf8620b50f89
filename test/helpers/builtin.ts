// The built-in backends, registered before every test file, as the package's entry points register them
// (src/backends/builtin.ts): a test that imports one module of src/ finds them as a user's program would.
import '../../src/backends/builtin.js';
