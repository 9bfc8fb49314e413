# Dependency isolation: on PowerShell 7 the module's third-party assemblies (Newtonsoft.Json today) load
# into the module's own AssemblyLoadContext from the module's bin/ folder, so whatever version the session already has
# cannot break it, and it cannot break the session. Each order runs in a fresh pwsh: a tiny module carrying
# Newtonsoft.Json 12.0.3 (Add-Type into the default context, as most script modules do) and RunCloud.PowerShell,
# both used twice, both working.
#
# What the default context holds: pwsh loads its own Newtonsoft.Json (13.0.x from $PSHOME) at start-up, so the tiny
# module's Add-Type silently gets PowerShell's copy instead of its 12.0.3: exactly the substitution a module that does
# not isolate its dependencies suffers. The test asserts RunCloud.PowerShell binds to its OWN copy (its bin/ folder,
# its own load context) in either order, never to the session's.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # Newtonsoft.Json 12.0.3 comes from the NuGet cache: tests/RunCloud.PowerShell.Tests restores it (PackageDownload).
    $cache = $env:NUGET_PACKAGES
    if (-not $cache) { $cache = Join-Path $HOME '.nuget/packages' }
    $nj12 = Join-Path $cache 'newtonsoft.json/12.0.3/lib/netstandard2.0/Newtonsoft.Json.dll'
    if (-not (Test-Path $nj12)) { throw "Newtonsoft.Json 12.0.3 is not at ${nj12}: restore tests/RunCloud.PowerShell.Tests (build.ps1 -Task Test does)." }

    $script:Probe = Join-Path $TestDrive 'NjProbe'
    New-Item -ItemType Directory -Path $script:Probe | Out-Null
    Copy-Item $nj12 $script:Probe
    Set-Content -Path (Join-Path $script:Probe 'NjProbe.psm1') -Value @'
Add-Type -Path (Join-Path $PSScriptRoot 'Newtonsoft.Json.dll')
function Invoke-NjProbe {
    $type = [Newtonsoft.Json.JsonConvert]
    $json = $type::SerializeObject([ordered]@{ probe = 'ok' })
    [pscustomobject]@{ Json = $json; Version = $type.Assembly.GetName().Version.ToString() }
}
'@

    $script:Emulator = Start-RunCloudEmulator -RateLimitPerMinute 0

    # Runs $Script in a fresh pwsh (saved as $Name.ps1) and returns the JSON object its last output line holds; a
    # non-zero exit fails the test with what the child printed.
    function Invoke-FreshPwsh([string] $Name, [string] $Script) {
        $file = Join-Path $TestDrive "$Name.ps1"
        Set-Content -Path $file -Value $Script
        $pwsh = Get-TestPwshCommand
        $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
        $text = & $exe @rest -NoProfile -NonInteractive -File $file 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($text | Out-String)
        ($text | Select-Object -Last 1) | ConvertFrom-Json
    }

    # Runs $Order in a fresh pwsh and returns what each step reported (or the error it hit), as objects.
    function Invoke-Order([string[]] $Order) {
        $steps = @{
            Probe    = "Import-Module '$script:Probe'; `$p = Invoke-NjProbe; `$out.Probe += ,@(`$p.Json, `$p.Version)"
            RunCloud = "Import-Module '$script:ModulePath'; Connect-RunCloud -BaseUri '$($script:Emulator.BaseUri)' -Token (ConvertTo-SecureString '$($script:Emulator.Token)' -AsPlainText -Force) -RateLimit 0; `$out.Domains += ,@(Get-RunCloudDomain -ServerId 1001 -WebAppId 2001 | ForEach-Object Name); Disconnect-RunCloud"
        }
        $script = @(
            '$ErrorActionPreference = "Stop"'
            '$out = @{ Probe = @(); Domains = @(); Error = $null; Loaded = @(); RunCloudContext = $null; RunCloudJson = $null; ProbeJson = $null }'
            'try {'
            ($Order + $Order | ForEach-Object { $steps[$_] })
            '} catch { $out.Error = "$_" }'
            '$out.Loaded = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq "Newtonsoft.Json" } | ForEach-Object { "{0} in {1}" -f $_.GetName().Version, [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name })'
            '$rc = (Get-Command Get-RunCloudDomain).ImplementingType.Assembly'
            '$alc = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($rc)'
            '$njRef = $rc.GetReferencedAssemblies() | Where-Object Name -EQ "Newtonsoft.Json"'
            '$nj = $alc.LoadFromAssemblyName($njRef)'
            '$out.RunCloudContext = $alc.Name; $out.RunCloudJson = $nj.Location; $out.ProbeJson = [Newtonsoft.Json.JsonConvert].Assembly.Location'
            '$out | ConvertTo-Json -Depth 5 -Compress'
        ) -join "`n"
        Invoke-FreshPwsh ("order-{0}" -f ($Order -join '-')) $script
    }
}

AfterAll {
    if ($script:Emulator) { Stop-RunCloudEmulator -Emulator $script:Emulator }
}

Describe 'Newtonsoft.Json isolation on PowerShell 7' {
    It 'imported in the order <Order> (each twice): both work, each on its own copy of Newtonsoft.Json' -ForEach @(
        @{ Order = 'Probe', 'RunCloud' }
        @{ Order = 'RunCloud', 'Probe' }
    ) {
        $r = Invoke-Order $Order
        $r.Error | Should -BeNullOrEmpty
        $r.Probe | Should -HaveCount 2
        $r.Probe | ForEach-Object { $_[0] | Should -Be '{"probe":"ok"}' }
        $r.Domains | Should -HaveCount 2
        $r.Domains | ForEach-Object { $_ | Should -Contain 'shop.example.com' }
        $bin = Join-Path (Resolve-Path $script:ModulePath).Path 'bin'
        $r.RunCloudJson | Should -Be (Join-Path $bin 'Newtonsoft.Json.dll') -Because 'the module binds to its own copy, not the session''s'
        $r.RunCloudContext | Should -Not -Be 'Default'
        $r.ProbeJson | Should -Not -Be $r.RunCloudJson -Because 'the session keeps its own copy'
        @($r.Loaded | Where-Object { $_ -like '* in Default' }) | Should -HaveCount 1
        @($r.Loaded | Where-Object { $_ -like "* in $($r.RunCloudContext)" }) | Should -HaveCount 1
    }
}

Describe 'The emulator module''s isolation on PowerShell 7' {
    It 'loads RunCloud.Emulator into a context of its own that binds to the emulator module''s bin/ Newtonsoft.Json' {
        $script = @(
            '$ErrorActionPreference = "Stop"'
            "Import-Module '$script:ModulePath'; Import-Module '$script:EmulatorModulePath'"
            '$e = Start-RunCloudEmulator -RateLimitPerMinute 0'
            'Connect-RunCloud -BaseUri $e.BaseUri -Token (ConvertTo-SecureString $e.Token -AsPlainText -Force) -RateLimit 0'
            '$names = @(Get-RunCloudDomain -ServerId 1001 -WebAppId 2001 | ForEach-Object Name)'
            'Disconnect-RunCloud; Stop-RunCloudEmulator'
            '$report = foreach ($command in "Start-RunCloudEmulator", "Get-RunCloudDomain") {'
            '    $assembly = (Get-Command $command).ImplementingType.Assembly'
            '    $alc = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly)'
            '    $nj = $alc.LoadFromAssemblyName(($assembly.GetReferencedAssemblies() | Where-Object Name -EQ "Newtonsoft.Json"))'
            '    [pscustomobject]@{ Command = $command; Context = $alc.Name; Json = $nj.Location }'
            '}'
            '@{ Names = $names; Report = @($report) } | ConvertTo-Json -Depth 4 -Compress'
        ) -join "`n"
        $r = Invoke-FreshPwsh 'emulator-isolation' $script
        $r.Names | Should -Contain 'shop.example.com'
        $emulator = $r.Report | Where-Object Command -EQ 'Start-RunCloudEmulator'
        $client = $r.Report | Where-Object Command -EQ 'Get-RunCloudDomain'
        $emulator.Context | Should -Be 'RunCloud.Emulator'
        $client.Context | Should -Be 'RunCloud.PowerShell'
        $emulator.Json | Should -Be (Join-Path (Resolve-Path $script:EmulatorModulePath).Path 'bin/Newtonsoft.Json.dll')
        $client.Json | Should -Be (Join-Path (Resolve-Path $script:ModulePath).Path 'bin/Newtonsoft.Json.dll')
    }

    It 'ships only RunCloud assemblies at the module root; Newtonsoft.Json and the loader are in bin/' {
        @(Get-ChildItem $script:EmulatorModulePath -Filter *.dll -File | Where-Object Name -NotLike 'RunCloud.*') | Should -HaveCount 0
        Test-Path (Join-Path $script:EmulatorModulePath 'bin/Newtonsoft.Json.dll') | Should -BeTrue
        Test-Path (Join-Path $script:EmulatorModulePath 'bin/RunCloud.PowerShell.Loader.dll') | Should -BeTrue
    }
}

Describe 'Re-import (PowerShell/PowerShell#20710)' {
    It 'Import-Module -Force keeps every cmdlet of both modules exported and working, the loader adding them back' {
        $script = @(
            '$ErrorActionPreference = "Stop"'
            "`$counts = foreach (`$round in 1..3) { Import-Module '$script:ModulePath' -Force; Import-Module '$script:EmulatorModulePath' -Force; (Get-Command -Module RunCloud.PowerShell).Count; (Get-Command -Module RunCloud.PowerShell.Emulator).Count }"
            '$e = Start-RunCloudEmulator -RateLimitPerMinute 0'
            'Connect-RunCloud -BaseUri $e.BaseUri -Token (ConvertTo-SecureString $e.Token -AsPlainText -Force) -RateLimit 0'
            '$names = @(Get-RunCloudDomain -ServerId 1001 -WebAppId 2001 | ForEach-Object Name)'
            'Disconnect-RunCloud; Stop-RunCloudEmulator'
            '$manifest = (Import-PowerShellDataFile (Join-Path (Get-Module RunCloud.PowerShell).ModuleBase "RunCloud.PowerShell.psd1")).CmdletsToExport.Count'
            '@{ Counts = @($counts); Names = $names; Manifest = $manifest } | ConvertTo-Json -Depth 4 -Compress'
        ) -join "`n"
        $r = Invoke-FreshPwsh 'reimport' $script
        $r.Manifest | Should -BeGreaterThan 10
        $r.Counts | Should -HaveCount 6
        for ($i = 0; $i -lt 6; $i += 2) {
            $r.Counts[$i] | Should -Be $r.Manifest -Because "round $($i / 2 + 1) of Import-Module -Force"
            $r.Counts[$i + 1] | Should -BeGreaterThan 0
            $r.Counts[$i + 1] | Should -Be $r.Counts[1]
        }
        $r.Names | Should -Contain 'shop.example.com'
    }
}

Describe 'Two releases side by side' {
    # RunCloud.PowerShell and RunCloud.PowerShell.Emulator of two releases in one session (a test suite pinned to an
    # older emulator): both carry bin/RunCloud.PowerShell.Loader.dll, of two versions, and only one can hold that name in
    # the default load context. The second module must still import, silently, on the loader already there.
    BeforeAll {
        $src = Join-Path $TestDrive 'loader-src'
        New-Item -ItemType Directory -Path $src | Out-Null
        Copy-Item (Join-Path $PSScriptRoot '../../src/RunCloud.PowerShell.Loader/*') $src -Include '*.cs', '*.csproj'
        $built = Join-Path $TestDrive 'loader-bin'
        $log = & dotnet build $src -c Release -p:Version=0.0.1 -o $built 2>&1
        if ($LASTEXITCODE -ne 0) { throw "Building a loader of another version failed: $($log | Out-String)" }
        $script:OtherEmulator = Join-Path $TestDrive 'other/RunCloud.PowerShell.Emulator'
        New-Item -ItemType Directory -Path (Split-Path $script:OtherEmulator) | Out-Null
        Copy-Item (Resolve-Path $script:EmulatorModulePath).Path $script:OtherEmulator -Recurse
        Copy-Item (Join-Path $built 'RunCloud.PowerShell.Loader.dll') (Join-Path $script:OtherEmulator 'bin') -Force
    }

    It 'imports <First> first, then the other (each twice, -Force): both work and $Error stays empty' -ForEach @(
        @{ First = 'RunCloud.PowerShell' }
        @{ First = 'RunCloud.PowerShell.Emulator' }
    ) {
        $paths = if ($First -eq 'RunCloud.PowerShell') { $script:ModulePath, $script:OtherEmulator } else { $script:OtherEmulator, $script:ModulePath }
        $script = @(
            '$ErrorActionPreference = "Stop"'
            "foreach (`$p in '$($paths[0])', '$($paths[1])', '$($paths[0])', '$($paths[1])') { Import-Module `$p -Force }"
            '$errors = $Error.Count'
            '$loaders = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq "RunCloud.PowerShell.Loader" } | ForEach-Object { $_.GetName().Version.ToString() })'
            '$e = Start-RunCloudEmulator -RateLimitPerMinute 0'
            'Connect-RunCloud -BaseUri $e.BaseUri -Token (ConvertTo-SecureString $e.Token -AsPlainText -Force) -RateLimit 0'
            '$names = @(Get-RunCloudDomain -ServerId 1001 -WebAppId 2001 | ForEach-Object Name)'
            'Disconnect-RunCloud; Stop-RunCloudEmulator'
            '@{ Errors = $errors; Loaders = $loaders; Names = $names; Main = (Get-Command -Module RunCloud.PowerShell).Count; Emulator = (Get-Command -Module RunCloud.PowerShell.Emulator).Count } | ConvertTo-Json -Compress'
        ) -join "`n"
        $r = Invoke-FreshPwsh "skew-$First" $script
        $r.Errors | Should -Be 0
        $r.Loaders | Should -HaveCount 1 -Because 'one loader holds the name; the other module uses it'
        $r.Main | Should -Be (Import-PowerShellDataFile (Join-Path $script:ModulePath 'RunCloud.PowerShell.psd1')).CmdletsToExport.Count
        $r.Emulator | Should -BeGreaterThan 0
        $r.Names | Should -Contain 'shop.example.com'
    }
}
