using System.CommandLine;
using Platformctl.Smoke;

// platformctl: the operator CLI. Each verb lives in its own folder and registers one command here.
var root = new RootCommand("platformctl: operate the fraud decisioning platform")
{
    SmokeCommand.Create(),
    Platformctl.Produce.ProduceCommand.Create(),
    Platformctl.Labels.LabelsCommand.Create(),
    Platformctl.Secrets.SecretsCommand.Create(),
    Platformctl.Parity.ParityCommand.Create(),
    Platformctl.Env.EnvCommand.Create(),
    Platformctl.Runs.RunCommand.Create(),
    Platformctl.Jobs.JobsCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
