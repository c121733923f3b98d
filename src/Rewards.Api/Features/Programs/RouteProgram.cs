using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;

namespace Rewards.Api.Features.Programs;

/// <summary>
/// The program named by the route's {programId}, bound once per request (from the store's short cache). Route groups under
/// a program call <see cref="RequireProgram"/>, whose filter answers 404 before the handler runs when there is no such
/// program, so handlers use <see cref="Program"/> without checking again.
/// </summary>
public sealed class RouteProgram
{
    private readonly ProgramSnapshot? _program;

    private RouteProgram(string id, ProgramSnapshot? program) => (Id, _program) = (id, program);

    /// <summary>The programId of the route, as sent.</summary>
    public string Id { get; }

    public ProgramSnapshot Program => _program ?? throw new InvalidOperationException("No program: the group lacks RequireProgram().");

    public bool Exists => _program is not null;

    public static async ValueTask<RouteProgram> BindAsync(HttpContext http)
    {
        var id = http.GetRouteValue("programId") as string ?? "";
        var program = Ids.IsValidId(id) ? await http.RequestServices.GetRequiredService<ProgramStore>().FindAsync(id) : null;
        return new RouteProgram(id, program);
    }
}

public static class ProgramScope
{
    /// <summary>
    /// Answers 404 (a problem, declared for every endpoint of the group) for every endpoint of the group whose route names no
    /// existing program. An endpoint of the
    /// group without a <see cref="RouteProgram"/> parameter is refused when it is built, so none can skip the check.
    /// </summary>
    public static RouteGroupBuilder RequireProgram(this RouteGroupBuilder group) =>
        group.DeclareMe().WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails),
            ["application/problem+json"])).AddEndpointFilterFactory((factory, next) =>
        {
            var index = Array.FindIndex(factory.MethodInfo.GetParameters(), p => p.ParameterType == typeof(RouteProgram));
            if (index < 0)
            {
                throw new InvalidOperationException($"{factory.MethodInfo.Name} is in a program's route group but takes no {nameof(RouteProgram)}.");
            }
            return async context => context.GetArgument<RouteProgram>(index) is { Exists: false } missing
                ? ProgramsApi.ProgramNotFound(missing.Id)
                : await next(context);
        });
}
