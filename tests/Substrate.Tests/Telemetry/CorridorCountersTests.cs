using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.Telemetry;

namespace Platform.Substrate.Tests.Telemetry;

public sealed class CorridorCountersTests : IDisposable
{
    private readonly ServiceProvider services = new ServiceCollection().AddMetrics().AddSingleton<CorridorCounters>().BuildServiceProvider();
    private readonly MeterListener listener = new();
    private readonly List<(long Value, Dictionary<string, object?> Tags)> measurements = [];

    public CorridorCountersTests()
    {
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            // Only this test's meter: other tests create their own "Platform" meters in parallel.
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Meter.Name == CorridorCounters.MeterName)
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            Assert.Equal(CorridorCounters.InstrumentName, instrument.Name);
            var tagMap = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                tagMap[tag.Key] = tag.Value;
            }

            lock (measurements)
            {
                measurements.Add((value, tagMap));
            }
        });
        listener.Start();
    }

    public void Dispose()
    {
        listener.Dispose();
        services.Dispose();
    }

    [Fact]
    public void Records_each_outcome_with_corridor_and_outcome_tags()
    {
        var counters = services.GetRequiredService<CorridorCounters>();

        counters.Record("ig.admission", CorridorOutcome.Admitted);
        counters.Record("ig.admission", CorridorOutcome.Quarantined, "SCHEMA_FAIL");
        counters.Record("ig.publish", CorridorOutcome.PublishAmbiguous, count: 3);

        Assert.Equal(3, measurements.Count);
        Assert.Equal((1L, "ig.admission", "admitted", (object?)null), Flatten(measurements[0]));
        Assert.Equal((1L, "ig.admission", "quarantined", (object?)"SCHEMA_FAIL"), Flatten(measurements[1]));
        Assert.Equal((3L, "ig.publish", "publish_ambiguous", (object?)null), Flatten(measurements[2]));
        Assert.Equal(2, measurements[0].Tags.Count);
    }

    [Theory]
    [InlineData(CorridorOutcome.Admitted, "admitted")]
    [InlineData(CorridorOutcome.Duplicate, "duplicate")]
    [InlineData(CorridorOutcome.Quarantined, "quarantined")]
    [InlineData(CorridorOutcome.Refused, "refused")]
    [InlineData(CorridorOutcome.Published, "published")]
    [InlineData(CorridorOutcome.PublishAmbiguous, "publish_ambiguous")]
    [InlineData(CorridorOutcome.SafeFallback, "safe_fallback")]
    [InlineData(CorridorOutcome.FailClosed, "fail_closed")]
    [InlineData(CorridorOutcome.RolledBack, "rolled_back")]
    public void Outcome_tags_are_snake_case(CorridorOutcome outcome, string expected)
    {
        services.GetRequiredService<CorridorCounters>().Record("mpr.promotion", outcome);

        Assert.Equal(expected, CorridorCounters.OutcomeName(outcome));
        Assert.Equal(expected, Assert.Single(measurements).Tags["outcome"]);
    }

    [Theory]
    [InlineData("IG.Admission", null)]
    [InlineData("ig admission", null)]
    [InlineData("", null)]
    [InlineData("ig.admission", "schema fail")]
    [InlineData("ig.admission", "{\"card\":\"4111\"}")]
    public void Refuses_tag_values_that_could_carry_data(string corridor, string? reasonCode)
    {
        var counters = services.GetRequiredService<CorridorCounters>();

        Assert.Throws<ArgumentException>(() => counters.Record(corridor, CorridorOutcome.Rejected, reasonCode));
        Assert.Empty(measurements);
    }

    private static (long, object?, object?, object?) Flatten((long Value, Dictionary<string, object?> Tags) measurement) =>
        (measurement.Value, measurement.Tags["corridor"], measurement.Tags["outcome"], measurement.Tags.GetValueOrDefault("reason_code"));
}
