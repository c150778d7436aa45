namespace Drover.Core.Config;

/// <summary>
/// GitHub forges authenticate with a token or as a GitHub App (appId, installationId and privateKey together);
/// GitLab forges with a token only.
/// </summary>
internal static class ForgeAuthRules
{
    public static void Check(ValidationContext context, string path, ForgeConfig forge)
    {
        var auth = forge.Auth;
        var authPath = $"{path}.auth";
        var appFields = new (string Key, bool IsSet)[]
        {
            ("appId", auth.AppId is not null),
            ("installationId", auth.InstallationId is not null),
            ("privateKey", auth.PrivateKey is not null),
        };
        var usesApp = appFields.Any(f => f.IsSet);

        CheckId(context, $"{authPath}.appId", auth.AppId);
        CheckId(context, $"{authPath}.installationId", auth.InstallationId);

        if (forge.Kind == ForgeKind.GitLab)
        {
            foreach (var field in appFields.Where(f => f.IsSet))
            {
                context.Report($"{authPath}.{field.Key}", "GitHub App authentication is not available for a GitLab forge; use token");
            }

            if (auth.Token is null)
            {
                context.Report(authPath, "a GitLab forge needs token (a personal access token with create_runner)");
            }

            return;
        }

        if (auth.Token is not null && usesApp)
        {
            context.Report($"{authPath}.token", "use either token or a GitHub App (appId, installationId, privateKey), not both");
            return;
        }

        if (usesApp)
        {
            foreach (var field in appFields.Where(f => !f.IsSet))
            {
                context.Report($"{authPath}.{field.Key}", $"required for GitHub App authentication (appId, installationId and privateKey go together)");
            }
        }
        else if (auth.Token is null)
        {
            context.Report(authPath, "a GitHub forge needs token, or appId, installationId and privateKey");
        }
    }

    private static void CheckId(ValidationContext context, string path, long? id)
    {
        if (id <= 0)
        {
            context.Report(path, "must be a positive number");
        }
    }
}
