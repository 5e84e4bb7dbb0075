/**
 * The browser suite (`npm run test:browser`): real Chromium through puppeteer-core, the built package
 * (dist/esm and an esbuild bundle) and the package-quality checks. Kept out of `npm test` (jest.config.js)
 * so the normal suite stays fast; .ci/run runs both. One worker: each file starts its own browser.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec-browser'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  globalSetup: '<rootDir>/spec-browser/global-setup.js',
  maxWorkers: 1,
  testTimeout: 120000,
  reporters: ['default', ['<rootDir>/scripts/summary-reporter.js', { file: '.jest-summary-browser' }]],
};
