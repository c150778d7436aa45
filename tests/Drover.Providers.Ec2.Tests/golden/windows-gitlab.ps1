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
  $runnerExe = Join-Path $RunnerDir 'gitlab-runner.exe'
  if (-not (Test-Path $runnerExe)) {
    New-Item -ItemType Directory -Force -Path $RunnerDir | Out-Null
    Invoke-WebRequest -UseBasicParsing -OutFile $runnerExe `
      -Uri 'https://gitlab-runner-downloads.s3.amazonaws.com/latest/binaries/gitlab-runner-windows-amd64.exe'
  }
  Set-Location $RunnerDir
  # run-single reads --url and --token from CI_SERVER_URL and CI_SERVER_TOKEN: the token stays off every command line.
  $env:CI_SERVER_URL = 'https://gitlab.example.com'
  $env:CI_SERVER_TOKEN = $answer.credential
  Remove-Variable answer
  & $runnerExe run-single --name $RunnerName --executor shell --builds-dir (Join-Path $RunnerDir 'builds') --max-builds 1 --wait-timeout 900
} finally {
  Stop-Computer -Force
}
</powershell>
<persist>false</persist>