using System.CommandLine;
using Platform.Substrate.Pinning;
using Platformctl.Cli;
using Platformctl.Produce;

namespace Platformctl.Labels;

/// <summary><c>platformctl labels feed</c>: posts the producer's ground-truth chargebacks to the Label Store as an EXTERNAL feed.</summary>
public static class LabelsCommand
{
    public const string ApiKeyVariable = "PLATFORM_LABEL_FEED_API_KEY";
    public const int ConfigurationErrorExitCode = 2;

    public static Command Create() => new("labels", "work with the Label Store (cm)") { Feed() };

    private static Command Feed()
    {
        var runId = new Option<string>("--run-id")
        {
            Description = "the platform_run_id whose labels are fed (platform_YYYYMMDDTHHMMSSZ)",
            Required = true,
        };
        runId.Validators.Add(r => OptionRules.Check(r, PlatformRunId.IsValid(r.GetValueOrDefault<string>()), "--run-id must look like platform_20260105T000000Z"));
        var labelsIn = new Option<string?>("--labels-in")
        {
            Description = $"a label file, or a directory of {LabelFiles.FilePattern} (default: ${ProduceCommand.StateDirVariable}/producer/<run-id>/)",
        };
        var cmUrl = OptionRules.UrlOption("--cm-url", "cm's base URL", "http://127.0.0.1:5103");
        var batchSize = new Option<int>("--batch-size") { Description = "labels per request to POST /v1/labels:batch (1 to 500)", DefaultValueFactory = _ => 100 };
        batchSize.Validators.Add(r => OptionRules.Check(r, r.GetValueOrDefault<int>() is >= 1 and <= 500, "--batch-size must be between 1 and 500"));
        var sending = new BatchSendOptions(ApiKeyVariable, "the label feed's", "label", maxConcurrency: 32);

        var command = new Command("feed", "post a run's ground-truth labels (chargebacks observed days later) to cm as EXTERNAL labels with their own observed_time")
        {
            runId, labelsIn, cmUrl, batchSize,
        };
        sending.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var platformRunId = parse.GetValue(runId)!;
            var key = sending.Key(parse);
            if (key is null)
            {
                await stderr.WriteLineAsync($"error: the feed needs an API key with the label-feed role: --api-key or ${ApiKeyVariable}");
                return ConfigurationErrorExitCode;
            }

            // By default the directory where `platformctl produce` writes each scenario's label file for this run.
            var source = parse.GetValue(labelsIn) ?? Path.GetDirectoryName(ProduceCommand.DefaultLabelsPath(platformRunId, "scenario"))!;
            var files = LabelFiles.Resolve(source);
            if (files.Count == 0)
            {
                await stderr.WriteLineAsync($"error: no label file at {source} (a file, or a directory with {LabelFiles.FilePattern})");
                return ConfigurationErrorExitCode;
            }

            List<EncodedLabel> labels;
            try
            {
                var records = LabelFiles.Read(files);
                if (records.FirstOrDefault(r => r.PlatformRunId != platformRunId) is { } stray)
                {
                    await stderr.WriteLineAsync($"error: {source} holds labels of {stray.PlatformRunId}, not {platformRunId}: is it the right file?");
                    return ConfigurationErrorExitCode;
                }

                labels = [.. records.Select(r => FeedAssertion.From(r).Encode())];
            }
            catch (InvalidDataException exception)
            {
                await stderr.WriteLineAsync($"error: {exception.Message}");
                return ConfigurationErrorExitCode;
            }

            var options = sending.Apply(new FeedOptions { CmUrl = OptionRules.Url(parse, cmUrl), ApiKey = key, BatchSize = parse.GetValue(batchSize) }, parse);
            // A live terminal gets a progress line rewritten in place; logs and pipes get one line per second.
            var interactive = OptionRules.IsLiveTerminal(stderr);
            return await new LabelFeedRun(stdout, stderr, interactive).RunAsync(new FeedRequest(platformRunId, files, options), labels, cancellationToken);
        });
        return command;
    }
}
