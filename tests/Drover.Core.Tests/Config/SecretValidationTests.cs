using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

public sealed class SecretValidationTests
{
    private const string FakeGitHubToken = "ghp_ThisIsNotARealTokenJustATestValue00";

    [Theory]
    [InlineData("plain-text-token")]
    [InlineData("env:BAD-NAME")]
    [InlineData("$GITHUB_TOKEN")]
    public void Load_InlineAuthToken_RefusedWithoutEchoingIt(string value)
    {
        var text = Fleet(Pool()).Replace("env:GITHUB_TOKEN", value, StringComparison.Ordinal);

        var error = AssertSingleError(Load(text), 4, 20, "forges[0].auth.token", "must be a secret reference (env:NAME or file:/path); inline secret values are refused");
        Assert.DoesNotContain(value, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KnownTokenFormatInSecretField_ReportedOnceWithoutValue()
    {
        var text = Fleet(Pool()).Replace("env:GITHUB_TOKEN", FakeGitHubToken, StringComparison.Ordinal);

        var error = AssertSingleError(Load(text), 4, 20, "forges[0].auth.token", "looks like an inline GitHub personal access token");
        Assert.DoesNotContain(FakeGitHubToken, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("team: {0}", "glpat-abcdefghijklmnopqrst", 11, "pools[0].team", "GitLab personal access token")]
    [InlineData("policy: {0}", "github_pat_11ABCDEFG0123456789", 13, "pools[0].policy", "GitHub fine-grained token")]
    [InlineData("template: {{ settings: {{ note: {0} }} }}", "glrt-abcdef123456", 35, "pools[0].template.settings.note", "GitLab runner token")]
    [InlineData("schedules: [ {{ cron: \"{0}\", idle: 1 }} ]", "-----BEGIN RSA PRIVATE KEY-----", 26, "pools[0].schedules[0].cron", "PEM key")]
    [InlineData("policySettings: {{ region: {0} }}", "AKIAABCDEFGHIJKLMNOP", 31, "pools[0].policySettings.region", "AWS access key")]
    public void Load_SecretLookingValueAnywhere_RefusedOnceWithoutValue(string fieldFormat, string value, int column, string path, string kind)
    {
        var field = string.Format(System.Globalization.CultureInfo.InvariantCulture, fieldFormat, value);

        var result = Load(Fleet(Pool(extra: [field])));

        var error = AssertSingleError(result, 17, column, path, $"looks like an inline {kind}");
        Assert.DoesNotContain(value, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InlineWebhookSecret_Refused()
    {
        var text = Fleet(Pool()).Replace("    auth: { token: env:GITHUB_TOKEN }", "    auth: { token: env:GITHUB_TOKEN }\n    webhookSecret: s3cr3t", StringComparison.Ordinal);

        var error = AssertSingleError(Load(text), 5, 20, "forges[0].webhookSecret", "must be a secret reference");
        Assert.DoesNotContain("s3cr3t", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InlinePrivateKeyReference_Refused()
    {
        var text = Fleet(Pool()).Replace("{ token: env:GITHUB_TOKEN }", "{ appId: 1, installationId: 2, privateKey: /etc/app.pem }", StringComparison.Ordinal);

        AssertSingleError(Load(text), 4, 54, "forges[0].auth.privateKey", "must be a secret reference");
    }

    [Theory]
    [InlineData("apiToken")]
    [InlineData("password")]
    [InlineData("clientSecret")]
    [InlineData("awsCredentials")]
    [InlineData("secretAccessKey")]
    [InlineData("private_key")]
    [InlineData("KEY")]
    public void Load_SecretNamedSettingWithInlineValue_RefusedWithoutValue(string key)
    {
        var text = Fleet(Pool()).Replace("    type: kubernetes", $"    type: kubernetes\n    settings:\n      {key}: hunter2", StringComparison.Ordinal);

        var error = AssertSingleError(Load(text), 12, 9 + key.Length, $"providers[0].settings.{key}", $"'{key}' names a secret, so it must be a secret reference");
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("keyName")]
    [InlineData("namespace")]
    [InlineData("accessKeyId")]
    public void Load_OrdinarySettingWithInlineValue_Accepted(string key)
    {
        var text = Fleet(Pool()).Replace("    type: kubernetes", $"    type: kubernetes\n    settings:\n      {key}: value", StringComparison.Ordinal);

        AssertValid(Load(text));
    }

    [Theory]
    [InlineData("file:secrets/token")]
    [InlineData("file:./token")]
    [InlineData("file:../etc/token")]
    [InlineData("file:~/token")]
    public void Load_RelativeFileReference_RefusedAtItsPlace(string value)
    {
        var text = Fleet(Pool()).Replace("env:GITHUB_TOKEN", value, StringComparison.Ordinal);

        var error = AssertSingleError(Load(text), 4, 20, "forges[0].auth.token", "a file: secret reference needs an absolute path (env:NAME or file:/absolute/path)");
        Assert.DoesNotContain(value, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RelativeFileReferenceInASecretSetting_RefusedAtItsPlace()
    {
        var text = Fleet(Pool()).Replace("    type: kubernetes", "    type: kubernetes\n    settings:\n      apiToken: file:token.txt", StringComparison.Ordinal);

        AssertSingleError(Load(text), 12, 17, "providers[0].settings.apiToken", "'apiToken' names a secret, and a file: secret reference needs an absolute path");
    }

    [Fact]
    public void Load_SecretNamedSettingWithReference_KeepsReference()
    {
        var text = Fleet(Pool(extra: ["policySettings: { webhookToken: file:/run/secrets/hook }"]));

        var result = Load(text);

        AssertValid(result);
        Assert.Equal("file:/run/secrets/hook", result.Config!.Pools[0].PolicySettings["webhookToken"]);
    }

    [Fact]
    public void Load_UrlWithCredentials_RefusedWithoutEchoingThem()
    {
        var text = Fleet(Pool()).Replace("    kind: github\n", "    kind: github\n    url: https://bot:pa55word@ghe.example.com/api/v3\n", StringComparison.Ordinal);

        var error = AssertSingleError(Load(text), 4, 10, "forges[0].url", "URL must not contain credentials");
        Assert.DoesNotContain("pa55word", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InlineSecretInWrongTypedField_NeverEchoed()
    {
        var result = Load(Fleet(Pool(extra: ["max: " + FakeGitHubToken])));

        var error = AssertSingleError(result, 17, 10, "pools[0].max", "looks like an inline GitHub personal access token");
        Assert.DoesNotContain(FakeGitHubToken, error.ToString(), StringComparison.Ordinal);
    }
}
