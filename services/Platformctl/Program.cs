using System.CommandLine;
using Platformctl.Smoke;

// platformctl: the operator CLI. Each verb lives in its own folder and registers one command here.
var root = new RootCommand("platformctl: operate the fraud decisioning platform")
{
    SmokeCommand.Create(),
    Platformctl.Produce.ProduceCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
