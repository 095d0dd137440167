// The package version as a constant, for the CLI's --version and for users (test/package.test.ts checks that it
// equals package.json "version"; bump both together, see CHANGELOG.md).

/** The fused-rnn package version (semver; what is public is described in docs/semver.md). */
export const VERSION = '0.1.0';
