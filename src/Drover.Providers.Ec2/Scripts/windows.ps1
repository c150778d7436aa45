<powershell>
# Drover runner bootstrap for {{runnerName}} (pool {{pool}}), rendered by the ec2 provider.
# No secret is written here: $DroverToken is a one-time token, worthless once used, once its runner is gone
# and {{validity}} after launch. The runner's credential is fetched from Drover and never written to disk.
$ErrorActionPreference = 'Stop'
$DroverUrl = '{{droverUrl}}'
$DroverToken = '{{token}}'
$RunnerName = '{{runnerName}}'
$RunnerDir = '{{runnerDir}}'
try {
  $answer = $null
  for ($attempt = 0; $attempt -lt 60 -and -not $answer; $attempt++) {
    try {
      $answer = Invoke-RestMethod -Uri ($DroverUrl.TrimEnd('/') + '/api/v1/bootstrap/credential') `
        -Headers @{ Authorization = "Bearer $DroverToken" } -TimeoutSec 30
    } catch {
      # A refused token (401) ends the boot; a follower's 503 or Drover restarting is retried.
      if ($_.Exception.Response -and [int]$_.Exception.Response.StatusCode -eq 401) { throw }
      Start-Sleep -Seconds 5
    }
  }
  Remove-Variable DroverToken
  if (-not $answer) { throw 'Drover did not hand out the runner credential' }
{{runner}}
} finally {
  Stop-Computer -Force
}
</powershell>
<persist>false</persist>
