using CaseLabels.Domain;
using CaseLabels.Endpoints;
using CaseLabels.Infrastructure;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Hosting;

namespace CaseLabels;

/// <summary>Case + Labels (app-id <c>cm</c>): for now the Label Store writer boundary and its timeline reads.</summary>
public static class CaseLabelsApp
{
    public static Task Main(string[] args) => Build(args).RunAsync();

    /// <summary>
    /// Composes cm. The label policy (taxonomy + assertion schema) is loaded from <c>schemas/</c> next to the binaries
    /// before anything else (a bad policy refuses to start); <c>PLATFORM_ENV</c> and <c>SERVICE_RELEASE_ID</c> are read
    /// once. <paramref name="configure"/> runs first: tests and tools use it for configuration and substitutes.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        var policy = LabelPolicy.Load(Path.Combine(AppContext.BaseDirectory, "schemas"));
        builder.AddPlatformServiceDefaults(
            PlatformRuntime.FromEnvironment(PlatformNames.AppIds.CaseLabels, name => builder.Configuration[name]) with { PolicyRev = policy.PolicyRev });
        builder.AddCaseLabels(policy);
        builder.Services.AddOpenApi();

        var app = builder.Build();
        app.UsePlatformServiceDefaults();
        // The API description is public, like health: writers read it before they hold a key.
        app.MapOpenApi().AllowAnonymous();
        app.MapLabelsApi();
        return app;
    }
}
