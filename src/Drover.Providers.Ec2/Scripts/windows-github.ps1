  if (-not (Test-Path (Join-Path $RunnerDir 'run.cmd'))) {
    New-Item -ItemType Directory -Force -Path $RunnerDir | Out-Null
    $zip = Join-Path $env:TEMP 'actions-runner.zip'
    Invoke-WebRequest -UseBasicParsing -OutFile $zip `
      -Uri 'https://github.com/actions/runner/releases/download/v{{runnerVersion}}/actions-runner-win-x64-{{runnerVersion}}.zip'
    Expand-Archive -Path $zip -DestinationPath $RunnerDir -Force
  }
  Set-Location $RunnerDir
  # The runner reads --jitconfig from ACTIONS_RUNNER_INPUT_JITCONFIG: the credential stays off every command line.
  $env:ACTIONS_RUNNER_INPUT_JITCONFIG = $answer.credential
  Remove-Variable answer
  & (Join-Path $RunnerDir 'run.cmd')
