using System.Text;
using CaseLabels.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace CaseLabels.Tests.Domain;

/// <summary>Who counts as an internal reader coming through the sidecar.</summary>
public sealed class LabelReadAccessTests
{
    private static readonly HashSet<string> Readers = ["ofs"];
    private static readonly byte[] Token = Encoding.UTF8.GetBytes("app-api-token-value");

    [Fact]
    public void Without_an_app_token_the_single_caller_app_id_decides()
    {
        Assert.True(LabelReadAccess.IsInternalReader(Headers(("dapr-caller-app-id", "ofs")), Readers, token: null));
        Assert.False(LabelReadAccess.IsInternalReader(Headers(("dapr-caller-app-id", "mf")), Readers, token: null));
        Assert.False(LabelReadAccess.IsInternalReader(Headers(), Readers, token: null));
    }

    [Fact]
    public void A_caller_app_id_the_app_added_next_to_the_sidecars_is_not_trusted()
    {
        // daprd appends its own value to one an app sent: two values, or one folded line.
        var twoValues = new HeaderDictionary { ["dapr-caller-app-id"] = new(["ofs", "mf"]) };

        Assert.False(LabelReadAccess.IsInternalReader(twoValues, Readers, token: null));
        Assert.False(LabelReadAccess.IsInternalReader(Headers(("dapr-caller-app-id", "ofs, mf")), Readers, token: null));
    }

    [Fact]
    public void With_an_app_token_only_the_sidecar_that_knows_it_is_believed()
    {
        Assert.True(LabelReadAccess.IsInternalReader(Headers(("dapr-caller-app-id", "ofs"), ("dapr-api-token", "app-api-token-value")), Readers, Token));
        Assert.False(LabelReadAccess.IsInternalReader(Headers(("dapr-caller-app-id", "ofs")), Readers, Token));
        Assert.False(LabelReadAccess.IsInternalReader(Headers(("dapr-caller-app-id", "ofs"), ("dapr-api-token", "guess")), Readers, Token));
        Assert.False(LabelReadAccess.IsInternalReader(Headers(("dapr-caller-app-id", "mf"), ("dapr-api-token", "app-api-token-value")), Readers, Token));
    }

    private static HeaderDictionary Headers(params (string Name, string Value)[] headers)
    {
        var dictionary = new HeaderDictionary();
        foreach (var (name, value) in headers)
        {
            dictionary[name] = value;
        }

        return dictionary;
    }
}
