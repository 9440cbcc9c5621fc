using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.BuildingBlocks;

namespace Platform.Substrate.Errors;

/// <summary>
/// Every error an app answers is <c>application/problem+json</c> with a <see cref="PlatformProblems.TypeBase"/> type,
/// a <c>code</c> and a <c>trace_id</c>: endpoint results, thrown exceptions and the framework's own 401/403/404/405.
/// </summary>
public static class ProblemDetailsExtensions
{
    /// <summary>Registers the platform's problem details writer and exception handler.</summary>
    public static IServiceCollection AddPlatformProblemDetails(this IServiceCollection services)
    {
        if (services.Any(descriptor => descriptor.ImplementationType == typeof(PlatformProblemDetailsWriter)))
        {
            return services;
        }

        // The writer goes first so it answers every problem, whatever the Accept header and whoever registers later.
        services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, PlatformProblemDetailsWriter>());
        services.AddProblemDetails();
        services.AddExceptionHandler<PlatformExceptionHandler>();
        return services;
    }

    /// <summary>Turns exceptions and empty error responses (401, 403, 404, 405 ...) into problem details. Call early.</summary>
    public static IApplicationBuilder UsePlatformProblemDetails(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}

/// <summary>Maps exceptions to problems; anything unexpected is a 500 that tells the caller nothing but the trace id.</summary>
internal sealed class PlatformExceptionHandler(IProblemDetailsService problemDetailsService) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            PlatformProblemException known => known.Problem.ToProblemDetails(known.Detail, known.Extensions),
            // The framework's request errors (body too large, unreadable body...) keep their status, not their text.
            BadHttpRequestException badRequest => PlatformProblems.ForStatus(badRequest.StatusCode).ToProblemDetails(),
            _ => PlatformProblems.InternalError.ToProblemDetails(),
        };
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetailsService.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }
}

/// <summary>The only problem details writer: stamps the platform type, code and trace_id and always writes JSON.</summary>
internal sealed class PlatformProblemDetailsWriter : IProblemDetailsWriter
{
    private const string ContentType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var httpContext = context.HttpContext;
        var problem = context.ProblemDetails;
        var status = problem.Status ?? (httpContext.Response.StatusCode >= 400 ? httpContext.Response.StatusCode : StatusCodes.Status500InternalServerError);
        problem.Status = status;

        // Problems built by the framework carry RFC section links as type; ours carry the platform scheme.
        var code = problem.Type is { } type && type.StartsWith(PlatformProblems.TypeBase, StringComparison.Ordinal)
            ? type[PlatformProblems.TypeBase.Length..]
            : null;
        if (code is null)
        {
            var generic = PlatformProblems.ForStatus(status);
            code = generic.Code;
            problem.Type = generic.Type;
            problem.Title = generic.Title;
        }

        if (status >= 500 && context.Exception is not null and not PlatformProblemException)
        {
            problem.Detail = null;
        }

        problem.Instance ??= httpContext.Request.Path.HasValue ? httpContext.Request.Path.Value : null;
        problem.Extensions.Remove("traceId");
        problem.Extensions["code"] = code;
        problem.Extensions["trace_id"] = Activity.Current?.TraceId.ToHexString() ?? httpContext.TraceIdentifier;

        if (!httpContext.Response.HasStarted)
        {
            httpContext.Response.StatusCode = status;
        }

        return new ValueTask(httpContext.Response.WriteAsJsonAsync(problem, problem.GetType(), PlatformJson.Options, ContentType, httpContext.RequestAborted));
    }
}
