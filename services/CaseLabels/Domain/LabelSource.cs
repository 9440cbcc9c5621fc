using System.Text.Json.Serialization;
using Platform.Substrate.Identity;

namespace CaseLabels.Domain;

/// <summary>Where a label comes from, derived from the authenticated principal only (never from the body).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LabelSource>))]
public enum LabelSource
{
    /// <summary>An analyst (source_type HUMAN).</summary>
    [JsonStringEnumMemberName("HUMAN")]
    Human = 1,

    /// <summary>A feed from outside the platform, e.g. the card network's chargebacks: a SYSTEM actor with the label-feed role.</summary>
    [JsonStringEnumMemberName("EXTERNAL")]
    External = 2,

    /// <summary>A platform service asserting labels (SYSTEM with the labeler role).</summary>
    [JsonStringEnumMemberName("SYSTEM")]
    System = 3,
}

public static class LabelSources
{
    public static LabelSource Of(ActorContext caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.SourceType == SourceType.Human ? LabelSource.Human
            : caller.HasRole(PlatformRoles.LabelFeed) ? LabelSource.External
            : LabelSource.System;
    }

    public static string ToWireName(LabelSource source) => source switch
    {
        LabelSource.Human => "HUMAN",
        LabelSource.External => "EXTERNAL",
        LabelSource.System => "SYSTEM",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Not a label source."),
    };
}
