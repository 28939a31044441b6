/**
 * Loaded by mocha before every test file (see .mocharc.json). The AWS SDK warns once per process
 * that its 2027 releases need Node 22; the warning is about future releases, not these tests.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
