using DaprHarness;

// A daprd stand-in for tests: started with daprd's own flags, it serves Dapr's wire protocol to unmodified apps.
return await HarnessHost.RunAsync(args);
