using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Drover.Testing.Ec2;

/// <summary>
/// What an instance's user data does first, for tests: reads Drover's URL and the one-time bootstrap token from the
/// rendered script (cloud-init or PowerShell) and trades the token for the runner credential at
/// <c>GET {url}/api/v1/bootstrap/credential</c>, retrying while a follower answers 503.
/// </summary>
public static partial class InstanceBootstrapClient
{
    /// <summary>The URL and token a rendered user data script carries; null when it carries none.</summary>
    public static (Uri Url, string Token)? Read(string userData)
    {
        ArgumentNullException.ThrowIfNull(userData);
        var url = UrlLine().Match(userData);
        var token = TokenLine().Match(userData);
        return url.Success && token.Success ? (new Uri(url.Groups[1].Value), token.Groups[1].Value) : null;
    }

    /// <summary>
    /// Fetches the credential as the script does; returns its kind and value, or null when Drover refuses the token (401).
    /// Connection errors (Drover restarting) and a follower's 503 are retried every half second for two minutes, as
    /// the script's curl retries them (every 5 s, 60 times).
    /// </summary>
    public static async Task<(string Kind, string Credential)?> FetchAsync(HttpClient http, Uri url, string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(url);
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "api/v1/bootstrap/credential"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException) when (attempt < 240)
            {
                // Drover restarting: the script retries too.
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                continue;
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 240)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    return null;
                }

                response.EnsureSuccessStatusCode();
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                return (json.RootElement.GetProperty("kind").GetString()!, json.RootElement.GetProperty("credential").GetString()!);
            }
        }
    }

    [GeneratedRegex(@"(?m)^\s*(?:DROVER_URL=|\$DroverUrl\s*=\s*)'([^']+)'")]
    private static partial Regex UrlLine();

    [GeneratedRegex(@"(?m)^\s*(?:DROVER_TOKEN=|\$DroverToken\s*=\s*)'([^']+)'")]
    private static partial Regex TokenLine();
}
