namespace Drover.Testing.Ldap;

/// <summary>
/// A fact that needs OpenLDAP's <c>slapd</c> and <c>slapadd</c> (Debian packages <c>slapd</c> and <c>ldap-utils</c>, which
/// scripts/test.sh installs): skipped with a reason when they are missing, except under CI=true, where the test runs and
/// fails instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SlapdFactAttribute : FactAttribute
{
    public SlapdFactAttribute()
    {
        if (!SlapdServer.Installed && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"{SlapdServer.SlapdPath} is not installed (Debian packages 'slapd' and 'ldap-utils'; scripts/test.sh installs them)";
        }
    }
}
