# The module's own startup profile (src/RunCloud.PowerShell.Loader/StartupProfile.cs): after an import has loaded the
# module's assemblies, the loader starts a .NET multi-core JIT profile of the module's own in PowerShell's cache folder,
# because the runtime stops replaying PowerShell's profile when a binary module loads. Tested here: which file a fresh
# pwsh writes, that nothing is written when the user opts out, that a process replaying it runs a real sync as before,
# and that the cmdlets' assembly is loaded once. What it buys is measured by bench/Invoke-Benchmark.ps1 (figure 1).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # A fresh pwsh with its own cache folder (PowerShell's: XDG_CACHE_HOME/powershell, or on Windows
    # LOCALAPPDATA\Microsoft\Windows\PowerShell) and the given extra environment; returns its output and the folder.
    function Invoke-FreshPwsh([string] $Script, [hashtable] $Environment = @{}) {
        $cache = Join-Path ([System.IO.Path]::GetTempPath()) ('rc-profile-' + [guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $cache
        $r = Invoke-InCache $cache $Script $Environment
        $r | Add-Member -NotePropertyName Folder -NotePropertyValue (Get-ProfileFolder $cache)
        $r | Add-Member -NotePropertyName Cache -NotePropertyValue $cache -PassThru
    }

    function Get-ProfileFolder([string] $Cache) {
        if ($IsWindows) { Join-Path $Cache 'Microsoft/Windows/PowerShell' } else { Join-Path $Cache 'powershell' }
    }

    function Invoke-InCache([string] $Cache, [string] $Script, [hashtable] $Environment = @{}) {
        $pwsh = Get-TestPwshCommand
        $psi = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Script)) { $psi.ArgumentList.Add($a) }
        if ($IsWindows) { $psi.Environment['LOCALAPPDATA'] = $Cache } else { $psi.Environment['XDG_CACHE_HOME'] = $Cache }
        foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
        $psi.UseShellExecute = $false; $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
        $p = [System.Diagnostics.Process]::Start($psi)
        $err = $p.StandardError.ReadToEndAsync(); $out = $p.StandardOutput.ReadToEnd(); $p.WaitForExit()
        [pscustomobject]@{ ExitCode = $p.ExitCode; Output = @($out -split "`r?`n" | Where-Object { $_ }); Error = $err.Result }
    }
}

Describe 'The module''s startup profile' {
    It 'is written beside PowerShell''s by a non-interactive pwsh that imports the module, which loads its cmdlets once' {
        $r = Invoke-FreshPwsh "Import-Module '$script:ModulePath'; `$null = Get-RunCloudConnection; @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'RunCloud.PowerShell.Commands' }).Count"
        try {
            $r.ExitCode | Should -Be 0 -Because $r.Error
            $r.Output[-1] | Should -Be '1' -Because 'the loader loads the cmdlets'' assembly from the very path PowerShell loads it from'
            $file = Join-Path $r.Folder 'RunCloud.PowerShell-NonInteractive'
            Test-Path $file | Should -BeTrue -Because "the module's profile goes to PowerShell's cache folder ($($r.Folder)): $(@(Get-ChildItem $r.Folder -ErrorAction SilentlyContinue).Name -join ', ')"
            (Get-Item $file).Length | Should -BeGreaterThan 0
            Test-Path (Join-Path $r.Folder 'StartupProfileData-NonInteractive') | Should -BeTrue -Because 'PowerShell keeps its own profile too'
        }
        finally { Remove-Item -Recurse -Force $r.Cache -ErrorAction SilentlyContinue }
    }

    It 'imports through another spelling of the module''s path (<Kind>), the cmdlets'' assembly still loaded once' -ForEach @(
        @{ Kind = 'a symbolic link to the module folder' }, @{ Kind = 'a relative path with ./ and a trailing separator' }) {
        $parent = Join-Path ([System.IO.Path]::GetTempPath()) ('rc-link-' + [guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $parent
        try {
            if ($Kind -like 'a symbolic*') {
                $link = Join-Path $parent 'RunCloud.PowerShell'
                $null = New-Item -ItemType SymbolicLink -Path $link -Target (Resolve-Path $script:ModulePath).Path
                $import = "Import-Module '$link'"
            }
            else {
                $full = (Resolve-Path $script:ModulePath).Path
                $import = "Set-Location '$(Split-Path $full -Parent)'; Import-Module './$(Split-Path $full -Leaf)$([System.IO.Path]::DirectorySeparatorChar)'"
            }
            $r = Invoke-FreshPwsh "$import; `$null = Get-RunCloudConnection; @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'RunCloud.PowerShell.Commands' }).Count; (Get-Command -Module RunCloud.PowerShell).Count"
            try {
                $r.ExitCode | Should -Be 0 -Because $r.Error
                $r.Error | Should -BeNullOrEmpty
                $r.Output[-2] | Should -Be '1'
                [int]$r.Output[-1] | Should -BeGreaterThan 25
            }
            finally { Remove-Item -Recurse -Force $r.Cache -ErrorAction SilentlyContinue }
        }
        finally { Remove-Item -Recurse -Force $parent -ErrorAction SilentlyContinue }
    }

    It 'is started once per process: by the first RunCloud module imported, not again by the second' {
        $r = Invoke-FreshPwsh "Import-Module '$script:EmulatorModulePath'; Import-Module '$script:ModulePath'; Import-Module '$script:ModulePath' -Force; (Get-Command Connect-RunCloud, Start-RunCloudEmulator).Count"
        try {
            $r.ExitCode | Should -Be 0 -Because $r.Error
            $r.Output[-1] | Should -Be '2'
            Test-Path (Join-Path $r.Folder 'RunCloud.Emulator-NonInteractive') | Should -BeTrue
            Test-Path (Join-Path $r.Folder 'RunCloud.PowerShell-NonInteractive') | Should -BeFalse -Because 'a second profile would cut the first one''s recording short'
        }
        finally { Remove-Item -Recurse -Force $r.Cache -ErrorAction SilentlyContinue }
    }

    It 'is not started when RUNCLOUD_NO_STARTUP_PROFILE is 1, and the module works as before' {
        $r = Invoke-FreshPwsh "Import-Module '$script:ModulePath'; (Get-Command Sync-RunCloudDomain).Name" @{ RUNCLOUD_NO_STARTUP_PROFILE = '1' }
        try {
            $r.ExitCode | Should -Be 0 -Because $r.Error
            $r.Output[-1] | Should -Be 'Sync-RunCloudDomain'
            Test-Path (Join-Path $r.Folder 'RunCloud.PowerShell-NonInteractive') | Should -BeFalse
        }
        finally { Remove-Item -Recurse -Force $r.Cache -ErrorAction SilentlyContinue }
    }

    It 'is replayed by the next run of a scheduled sync, which changes the app as the first run would have' {
        $e = Start-RunCloudEmulator -RateLimitPerMinute 0 -MaxNamesPerCertificate 0
        $cache = Join-Path ([System.IO.Path]::GetTempPath()) ('rc-profile-' + [guid]::NewGuid().ToString('n'))
        $state = Join-Path ([System.IO.Path]::GetTempPath()) ('rc-profile-state-' + [guid]::NewGuid().ToString('n'))
        try {
            $names = @($e.State.GetDomains(1001, 2001) | ForEach-Object Name)
            $vars = @{ RUNCLOUD_API_TOKEN = $e.Token; RUNCLOUD_STATE_PATH = $state; RUNCLOUD_SKIP_DNS_CHECK = '1' }
            $sync = "Import-Module '$script:ModulePath'; `$null = Connect-RunCloud -BaseUri '$($e.BaseUri.AbsoluteUri)' -ServerId 1001 -WebAppId 2001 -RateLimit 0; " +
                "`$r = Sync-RunCloudDomain -Domain {0} -Confirm:`$false -ErrorAction Stop; '{{0}} {{1}}' -f `$r.Success, (@(`$r.Added) -join ',')"
            $first = Invoke-InCache $cache ($sync -f (($names | ForEach-Object { "'$_'" }) -join ',')) $vars
            $first.ExitCode | Should -Be 0 -Because $first.Error
            $first.Output[-1] | Should -Be 'True '
            Test-Path (Join-Path (Get-ProfileFolder $cache) 'RunCloud.PowerShell-NonInteractive') | Should -BeTrue

            # The second run starts with the first run's profile and adds a name.
            $second = Invoke-InCache $cache ($sync -f ((@($names) + 'profile-replayed.example.com' | ForEach-Object { "'$_'" }) -join ',')) $vars
            $second.ExitCode | Should -Be 0 -Because $second.Error
            $second.Output[-1] | Should -Be 'True profile-replayed.example.com'
            @($e.State.GetDomains(1001, 2001).Name) | Should -Contain 'profile-replayed.example.com'
        }
        finally {
            Stop-RunCloudEmulator -Emulator $e
            Remove-Item -Recurse -Force $cache, $state -ErrorAction SilentlyContinue
        }
    }
}
