  $runnerExe = Join-Path $RunnerDir 'gitlab-runner.exe'
  if (-not (Test-Path $runnerExe)) {
    New-Item -ItemType Directory -Force -Path $RunnerDir | Out-Null
    Invoke-WebRequest -UseBasicParsing -OutFile $runnerExe `
      -Uri 'https://gitlab-runner-downloads.s3.amazonaws.com/latest/binaries/gitlab-runner-windows-amd64.exe'
  }
  Set-Location $RunnerDir
  # run-single reads --url and --token from CI_SERVER_URL and CI_SERVER_TOKEN: the token stays off every command line.
  $env:CI_SERVER_URL = '{{forgeUrl}}'
  $env:CI_SERVER_TOKEN = $answer.credential
  Remove-Variable answer
  & $runnerExe run-single --name $RunnerName --executor shell --builds-dir (Join-Path $RunnerDir 'builds') --max-builds 1 --wait-timeout 900
