# The scheduled sync end to end, from a PACKAGED install: the built module is packed as build.ps1 -Task Package packs it
# (Compress-PSResource), installed with Install-PSResource from that folder repository into a temporary home (its own
# PSModulePath), and Register-RunCloudSyncTask -OutputPath is run from that install. Then each scheduler's command is
# run the way the scheduler runs it, in a child process with only the environment the scheduler gives:
# - systemd: ExecStart= split by systemd's quoting rules, the environment = systemd's PATH + the EnvironmentFile= +
#   $CREDENTIALS_DIRECTORY holding the LoadCredential= copies, working directory /;
# - cron: the entry's command part through sh -c, with cron's bare environment (PATH=/usr/bin:/bin, HOME, SHELL);
# - Task Scheduler: the action's Command with its Arguments split by the Windows rules (.NET's own splitting), under
#   the pwsh here, with the account's environment variables.
# Two emulators are two RunCloud accounts; a manifest syncs both and exits 0, and exits 3 when account A's emulator
# answers 503 to the SSL redeploy. (The emulator's names do not resolve in real DNS, so the environment the task is
# given sets RUNCLOUD_SKIP_DNS_CHECK=1, as a split-horizon setup would.)
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop

    $script:Root = Join-Path $TestDrive 'e2e'
    $script:FakeHome = Join-Path $script:Root 'home'
    $script:Repo = Join-Path $script:Root 'repo'
    $script:State = Join-Path $script:Root 'state'
    New-Item -ItemType Directory -Force -Path $script:FakeHome, $script:Repo, $script:State | Out-Null
    $script:Pwsh = Get-TestPwshCommand

    # Runs PowerShell code in a child pwsh whose home (and so its CurrentUser module path) is the temporary one.
    function script:Invoke-InHome([string] $Code) {
        $info = [System.Diagnostics.ProcessStartInfo]::new($script:Pwsh[0])
        foreach ($a in @($script:Pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Code)) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true; $info.RedirectStandardError = $true; $info.UseShellExecute = $false
        $info.Environment['HOME'] = $script:FakeHome
        $info.Environment.Remove('XDG_DATA_HOME') | Out-Null
        $info.Environment.Remove('PSModulePath') | Out-Null
        $info.Environment['RUNCLOUD_STATE_PATH'] = $script:State
        $p = [System.Diagnostics.Process]::Start($info)
        $out = $p.StandardOutput.ReadToEndAsync(); $err = $p.StandardError.ReadToEnd()
        $p.WaitForExit()
        [pscustomobject]@{ Code = $p.ExitCode; Output = $out.Result + $err }
    }

    # 1. Package (what build.ps1 -Task Package does) and install from that folder repository.
    Compress-PSResource -Path $script:ModulePath -DestinationPath $script:Repo
    $script:Version = (Import-PowerShellDataFile (Join-Path $script:ModulePath 'RunCloud.PowerShell.psd1')).ModuleVersion
    Test-Path (Join-Path $script:Repo "RunCloud.PowerShell.$($script:Version).nupkg") | Should -BeTrue
    $install = Invoke-InHome "Register-PSResourceRepository -Name e2e -Uri '$($script:Repo)' -Trusted; Install-PSResource RunCloud.PowerShell -Repository e2e -Scope CurrentUser -TrustRepository -ErrorAction Stop; (Get-Module RunCloud.PowerShell -ListAvailable).ModuleBase"
    $install.Code | Should -Be 0 -Because $install.Output
    $script:Installed = ($install.Output -split "`n" | Where-Object { $_ -match 'RunCloud\.PowerShell' } | Select-Object -Last 1).Trim()
    $script:Installed | Should -BeLike "$($script:FakeHome)*RunCloud.PowerShell*$($script:Version)"

    # 2. Two accounts, a manifest naming where each credential is.
    $script:emuA = Start-RunCloudEmulator -RateLimitPerMinute 0
    $script:emuB = Start-RunCloudEmulator -RateLimitPerMinute 0
    $script:Etc = Join-Path $script:Root 'etc'
    New-Item -ItemType Directory -Force -Path (Join-Path $script:Etc 'secrets') | Out-Null
    $script:NamesA = Join-Path $script:Etc 'clientA-domains.txt'
    Set-Content $script:NamesA 'shop.example.com'
    $credB = Join-Path $script:Etc 'secrets/clientB.xml'
    ConvertTo-SecureString $script:emuB.Token -AsPlainText -Force | Export-Clixml -Path $credB
    chmod 600 $credB
    $script:Manifest = Join-Path $script:Etc 'fleet.json'
    @{
        connections = @{
            clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_CLIENTA' }
            clientB = @{ baseUri = $script:emuB.BaseUri.AbsoluteUri; credentialPath = 'secrets/clientB.xml' }
        }
        targets     = @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; path = 'clientA-domains.txt' }
            @{ connection = 'clientB'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'b-fixed.example.com') }
        )
    } | ConvertTo-Json -Depth 6 | Set-Content $script:Manifest
    $script:EnvFile = Join-Path $script:Etc 'sync.env'
    Set-Content $script:EnvFile "RUNCLOUD_TOKEN_CLIENTA=$($script:emuA.Token)", "RUNCLOUD_STATE_PATH=$($script:State)", 'RUNCLOUD_SKIP_DNS_CHECK=1'
    chmod 600 $script:EnvFile

    # 3. The task files, written by the installed module.
    $script:Out = Join-Path $script:Root 'out'
    $script:Log = Join-Path $script:Root 'logs/sync.log'
    $register = Invoke-InHome (@(
            "Import-Module RunCloud.PowerShell -ErrorAction Stop"
            "if ((Get-Module RunCloud.PowerShell).ModuleBase -ne '$($script:Installed)') { throw 'not the installed module' }"
            "Register-RunCloudSyncTask -Manifest '$($script:Manifest)' -Scheduler Systemd -EnvironmentFile '$($script:EnvFile)' -LogPath '$($script:Log)' -OutputPath '$($script:Out)' | Out-Null"
            "Register-RunCloudSyncTask -Manifest '$($script:Manifest)' -Scheduler Cron -EnvironmentFile '$($script:EnvFile)' -LogPath '$($script:Log)' -OutputPath '$($script:Out)' | Out-Null"
            "Register-RunCloudSyncTask -Manifest '$($script:Manifest)' -Scheduler TaskScheduler -LogPath '$($script:Log)' -OutputPath '$($script:Out)' -WarningAction SilentlyContinue | Out-Null"
        ) -join '; ')
    $register.Code | Should -Be 0 -Because $register.Output

    # systemd's rules for one ExecStart= line (systemd.syntax(7), systemd.service(5)): words split on white space,
    # "..." and '...' quote, \ escapes; then %% is % and $$ is $ (the unit writes no other specifier or variable).
    function script:Split-ExecStart([string] $Line) {
        $words = [System.Collections.Generic.List[string]]::new()
        $word = [System.Text.StringBuilder]::new(); $inWord = $false; $quote = [char]0
        for ($i = 0; $i -lt $Line.Length; $i++) {
            $c = $Line[$i]
            if ($c -eq '\' -and $i + 1 -lt $Line.Length) { [void]$word.Append($Line[++$i]); $inWord = $true; continue }
            if ($quote) { if ($c -eq $quote) { $quote = [char]0 } else { [void]$word.Append($c) }; continue }
            if ($c -eq '"' -or $c -eq "'") { $quote = $c; $inWord = $true; continue }
            if ([char]::IsWhiteSpace($c)) { if ($inWord) { $words.Add($word.ToString()); [void]$word.Clear(); $inWord = $false }; continue }
            [void]$word.Append($c); $inWord = $true
        }
        if ($inWord) { $words.Add($word.ToString()) }
        @($words | ForEach-Object { $_.Replace('%%', '%').Replace('$$', '$') })
    }

    # Starts a process with exactly this environment; returns its exit code and output.
    function script:Start-Bare([string] $File, [string[]] $Arguments, [hashtable] $Environment, [string] $Directory, [string] $ArgumentLine) {
        $info = [System.Diagnostics.ProcessStartInfo]::new($File)
        if ($null -ne $ArgumentLine -and $ArgumentLine -ne '') { $info.Arguments = $ArgumentLine } else { foreach ($a in $Arguments) { $info.ArgumentList.Add($a) } }
        $info.Environment.Clear()
        foreach ($k in $Environment.Keys) { $info.Environment[$k] = $Environment[$k] }
        $info.WorkingDirectory = $Directory
        $info.RedirectStandardOutput = $true; $info.RedirectStandardError = $true; $info.UseShellExecute = $false
        $p = [System.Diagnostics.Process]::Start($info)
        $out = $p.StandardOutput.ReadToEndAsync(); $err = $p.StandardError.ReadToEnd()
        $p.WaitForExit()
        [pscustomobject]@{ Code = $p.ExitCode; Output = $out.Result + $err }
    }

    # systemd: ExecStart with the unit's environment only.
    function script:Invoke-Systemd {
        $service = Get-Content (Join-Path $script:Out 'runcloud-sync.service')
        $env = @{ PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin' }
        foreach ($line in $service) {
            if ($line -match '^EnvironmentFile=(.+)$') {
                foreach ($pair in Get-Content $Matches[1]) { if ($pair -match '^([A-Za-z_][A-Za-z0-9_]*)=(.*)$') { $env[$Matches[1]] = $Matches[2] } }
            }
        }
        $credentials = Join-Path $script:Root ("credentials-" + [guid]::NewGuid().ToString('N'))
        foreach ($line in $service | Where-Object { $_ -match '^LoadCredential=([^:]+):(.+)$' }) {
            $null = $line -match '^LoadCredential=([^:]+):(.+)$'
            New-Item -ItemType Directory -Force -Path $credentials | Out-Null
            Copy-Item $Matches[2] (Join-Path $credentials $Matches[1])
            chmod 400 (Join-Path $credentials $Matches[1])
            $env['CREDENTIALS_DIRECTORY'] = $credentials
        }
        $argv = Split-ExecStart (($service | Where-Object { $_ -like 'ExecStart=*' }) -replace '^ExecStart=', '')
        Start-Bare $argv[0] @($argv | Select-Object -Skip 1) $env '/'
    }

    # cron: the command part of the entry, through sh -c, with cron's environment.
    function script:Invoke-Cron {
        $entry = @(Get-Content (Join-Path $script:Out 'runcloud-sync.cron'))[1]
        $command = ($entry -replace '^(\S+\s+){5}', '').Replace('\%', '%')
        Start-Bare '/bin/sh' @('-c', $command) @{ PATH = '/usr/bin:/bin'; HOME = $script:FakeHome; SHELL = '/bin/sh'; LOGNAME = 'root' } $script:FakeHome
    }

    # Task Scheduler: the action's command line, run under the pwsh here with the account's environment variables.
    function script:Invoke-TaskAction {
        $exec = ([xml](Get-Content -Raw (Join-Path $script:Out 'runcloud-sync.xml'))).Task.Actions.Exec
        $env = @{ PATH = '/usr/bin:/bin'; HOME = $script:FakeHome; RUNCLOUD_TOKEN_CLIENTA = $script:emuA.Token; RUNCLOUD_STATE_PATH = $script:State; RUNCLOUD_SKIP_DNS_CHECK = '1' }
        Start-Bare $exec.Command @() $env $script:FakeHome $exec.Arguments
    }
}

AfterAll {
    if ($script:emuA) { $script:emuA, $script:emuB | Stop-RunCloudEmulator }
}

Describe 'A registered task, run as its scheduler runs it, from a packaged install' {
    It 'the task files import the installed module from above its version folder' {
        $installedRoot = Split-Path -Parent $script:Installed
        Get-Content -Raw (Join-Path $script:Out 'runcloud-sync.service') | Should -Match ([regex]::Escape("Import-Module '$installedRoot'"))
        Get-Content -Raw (Join-Path $script:Out 'runcloud-sync.cron') | Should -Match ([regex]::Escape($installedRoot))
        ([xml](Get-Content -Raw (Join-Path $script:Out 'runcloud-sync.xml'))).Task.Actions.Exec.Arguments | Should -Match ([regex]::Escape($installedRoot))
        $service = Get-Content -Raw (Join-Path $script:Out 'runcloud-sync.service')
        $service | Should -Not -Match ([regex]::Escape($script:emuA.Token))
        $service | Should -Not -Match ([regex]::Escape($script:emuB.Token))
    }

    It '<Scheduler>: syncs both accounts and exits 0, then exits 3 when RunCloud answers 503 to the redeploy' -ForEach @(
        @{ Scheduler = 'Systemd'; Run = { Invoke-Systemd } }
        @{ Scheduler = 'Cron'; Run = { Invoke-Cron } }
        @{ Scheduler = 'TaskScheduler'; Run = { Invoke-TaskAction } }
    ) {
        $tag = $Scheduler.ToLowerInvariant()
        Add-Content $script:NamesA "a-$tag.example.com"
        $first = & $Run
        $first.Code | Should -Be 0 -Because ($first.Output + "`n" + (Get-Content -Raw $script:Log -ErrorAction SilentlyContinue))
        @($script:emuA.State.GetDomains(1001, 2001).Name) | Should -Contain "a-$tag.example.com"
        @($script:emuB.State.GetDomains(1001, 2001).Name) | Should -Contain 'b-fixed.example.com'
        $script:emuA.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty

        Add-Content $script:NamesA "a-$tag-503.example.com"
        Add-RunCloudEmulatorFault -Emulator $script:emuA -Kind Status -StatusCode 503 -Count 1 -Method PUT -Path 'servers/*/webapps/*/ssl/*' | Out-Null
        $second = & $Run
        $second.Code | Should -Be 3 -Because ($second.Output + "`n" + (Get-Content -Raw $script:Log))
        @($script:emuA.State.GetDomains(1001, 2001).Name) | Should -Contain "a-$tag-503.example.com"
        Get-Content -Raw $script:Log | Should -Match 'Exit code 3 \(RetryNextRun\)'
        Get-Content -Raw $script:Log | Should -Not -Match ([regex]::Escape($script:emuA.Token))
    }

    It 'the next run of account A''s web app finishes the redeploy the failed one left owed, and exits 0' {
        # One app's source, from the environment alone (RUNCLOUD_*), through the same installed module: the journal is
        # per account + server + web app, so this run finds the redeploy the manifest run owes and finishes it.
        $code = "Import-Module '$(Split-Path -Parent $script:Installed)' -ErrorAction Stop; Invoke-RunCloudScheduledSync -Path '$($script:NamesA)' -LogPath '$($script:Log)' | Out-Null; exit `$LASTEXITCODE"
        $argv = @($script:Pwsh) + @('-NoProfile', '-NonInteractive', '-Command', $code)
        $env = @{ PATH = '/usr/bin:/bin'; HOME = $script:FakeHome; RUNCLOUD_API_TOKEN = $script:emuA.Token; RUNCLOUD_BASE_URI = $script:emuA.BaseUri.AbsoluteUri
            RUNCLOUD_SERVER_ID = '1001'; RUNCLOUD_APP_ID = '2001'; RUNCLOUD_STATE_PATH = $script:State; RUNCLOUD_SKIP_DNS_CHECK = '1' }
        $script:emuA.GetUncoveredDomains(1001, 2001) | Should -Not -BeNullOrEmpty -Because 'the 503 left the last name uncovered'
        $run = Start-Bare $argv[0] @($argv | Select-Object -Skip 1) $env $script:FakeHome
        $run.Code | Should -Be 0 -Because ($run.Output + "`n" + (Get-Content -Raw $script:Log))
        $script:emuA.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
        Get-Content -Raw $script:Log | Should -BeLike '*finished what a previous run left owed*'
    }

    It 'a module that cannot be imported is exit 1, said on standard error' {
        $service = Get-Content (Join-Path $script:Out 'runcloud-sync.service')
        $line = ($service | Where-Object { $_ -like 'ExecStart=*' }) -replace '^ExecStart=', ''
        $argv = Split-ExecStart ($line.Replace((Split-Path -Parent $script:Installed), (Join-Path $script:Root 'no-such-module')))
        $run = Start-Bare $argv[0] @($argv | Select-Object -Skip 1) @{ PATH = '/usr/bin:/bin' } '/'
        $run.Code | Should -Be 1
        $run.Output | Should -BeLike '*Invoke-RunCloudScheduledSync could not run:*'
    }
}
