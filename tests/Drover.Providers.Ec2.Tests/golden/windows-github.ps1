<powershell>
# Drover runner bootstrap for drover-linux-x64-7f3a (pool linux-x64), rendered by the ec2 provider.
# No secret is written here: $DroverToken is a one-time token, worthless once used, once its runner is gone
# and 15 minutes after launch. The runner's credential is fetched from Drover and never written to disk.
$ErrorActionPreference = 'Stop'
$DroverUrl = 'https://drover.example.com/'
$DroverToken = 'tok_ONE-TIME_abc123'
$RunnerName = 'drover-linux-x64-7f3a'
$RunnerDir = 'C:\actions-runner'
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
  if (-not (Test-Path (Join-Path $RunnerDir 'run.cmd'))) {
    New-Item -ItemType Directory -Force -Path $RunnerDir | Out-Null
    $zip = Join-Path $env:TEMP 'actions-runner.zip'
    Invoke-WebRequest -UseBasicParsing -OutFile $zip `
      -Uri 'https://github.com/actions/runner/releases/download/v2.329.0/actions-runner-win-x64-2.329.0.zip'
    Expand-Archive -Path $zip -DestinationPath $RunnerDir -Force
  }
  Set-Location $RunnerDir
  # The runner reads --jitconfig from ACTIONS_RUNNER_INPUT_JITCONFIG: the credential stays off every command line.
  $env:ACTIONS_RUNNER_INPUT_JITCONFIG = $answer.credential
  Remove-Variable answer
  & (Join-Path $RunnerDir 'run.cmd')
} finally {
  Stop-Computer -Force
}
</powershell>
<persist>false</persist>