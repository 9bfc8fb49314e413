# Dependency isolation: on PowerShell 7 the module's engine and its third-party assemblies (Newtonsoft.Json, the
# database client) load into the module's own AssemblyLoadContext from the module's bin/ folder (the cmdlets, which name
# nothing else, are the root module in the default context), so whatever version the session already has
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
    # The platform build.ps1 precompiled the main module for (this machine: the tests run where it was built).
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    $script:R2rTag = "net$([Environment]::Version.Major).0-$os-$([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant())"

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
            '$cmdlets = (Get-Command Get-RunCloudDomain).ImplementingType.Assembly'
            '$rc = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq "RunCloud.PowerShell" })[0]'
            '$alc = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($rc)'
            '$out.CmdletsContext = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($cmdlets).ToString(); $out.Engines = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq "RunCloud.PowerShell" }).Count'
            '$njRef = $rc.GetReferencedAssemblies() | Where-Object Name -EQ "Newtonsoft.Json"'
            '$nj = $alc.LoadFromAssemblyName($njRef)'
            '$out.RunCloudContext = $alc.ToString(); $out.RunCloudJson = $nj.Location; $out.ProbeJson = [Newtonsoft.Json.JsonConvert].Assembly.Location'
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
        # bin/'s copy, or its precompiled copy for this platform (bin/r2r/<tag>/): the module's own either way.
        $r.RunCloudJson | Should -BeIn @((Join-Path $bin 'Newtonsoft.Json.dll'), (Join-Path $bin "r2r/$script:R2rTag/Newtonsoft.Json.dll")) -Because 'the module binds to its own copy, not the session''s'
        $r.RunCloudContext | Should -Be 'RunCloud.PowerShell module context'
        $r.CmdletsContext | Should -BeLike '*Default*' -Because 'the cmdlets are the root module PowerShell loads; only the engine and its dependencies are the module''s own'
        $r.Engines | Should -Be 1
        $r.ProbeJson | Should -Not -Be $r.RunCloudJson -Because 'the session keeps its own copy'
        @($r.Loaded | Where-Object { $_ -like '* in Default' }) | Should -HaveCount 1
        @($r.Loaded | Where-Object { $_ -like '* in ' }) | Should -HaveCount 1 -Because 'the module''s context (unnamed: the loader is compiled against netstandard) holds its own copy'
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
            '$report = foreach ($engine in "RunCloud.Emulator", "RunCloud.PowerShell") {'
            '    $assembly = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq $engine })[0]'
            '    $alc = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly)'
            '    $nj = $alc.LoadFromAssemblyName(($assembly.GetReferencedAssemblies() | Where-Object Name -EQ "Newtonsoft.Json"))'
            '    [pscustomobject]@{ Command = $engine; Context = $alc.ToString(); Json = $nj.Location }'
            '}'
            '@{ Names = $names; Report = @($report) } | ConvertTo-Json -Depth 4 -Compress'
        ) -join "`n"
        $r = Invoke-FreshPwsh 'emulator-isolation' $script
        $r.Names | Should -Contain 'shop.example.com'
        $emulator = $r.Report | Where-Object Command -EQ 'RunCloud.Emulator'
        $client = $r.Report | Where-Object Command -EQ 'RunCloud.PowerShell'
        $emulator.Context | Should -Be 'RunCloud.Emulator module context'
        $client.Context | Should -Be 'RunCloud.PowerShell module context'
        $emulator.Json | Should -Be (Join-Path (Resolve-Path $script:EmulatorModulePath).Path 'bin/Newtonsoft.Json.dll')
        $client.Json | Should -Be (Join-Path (Resolve-Path $script:ModulePath).Path "bin/r2r/$script:R2rTag/Newtonsoft.Json.dll")
    }

    It 'ships only the cmdlets at the module root; the emulator, Newtonsoft.Json and the loader are in bin/' {
        (Get-ChildItem $script:EmulatorModulePath -Filter *.dll -File).Name | Should -Be @('RunCloud.Emulator.Commands.dll')
        (Get-ChildItem $script:ModulePath -Filter *.dll -File).Name | Should -Be @('RunCloud.PowerShell.Commands.dll')
        foreach ($dll in 'RunCloud.Emulator.dll', 'Newtonsoft.Json.dll', 'RunCloud.Emulator.Loader.dll') {
            Test-Path (Join-Path $script:EmulatorModulePath "bin/$dll") | Should -BeTrue -Because "$dll belongs in bin/"
        }
    }
}

Describe 'The manifest PowerShell''s tools check' {
    It 'passes Test-ModuleManifest (<Name>): the cmdlets are a file beside the manifest, no script runs on import' -ForEach @(
        @{ Name = 'RunCloud.PowerShell' }
        @{ Name = 'RunCloud.PowerShell.Emulator' }
    ) {
        $folder = if ($Name -eq 'RunCloud.PowerShell') { $script:ModulePath } else { $script:EmulatorModulePath }
        $manifest = Join-Path $folder "$Name.psd1"
        $info = Test-ModuleManifest $manifest -ErrorAction Stop
        # The main module's cmdlets are its last nested module (see its manifest), the emulator's its root module.
        $cmdlets = if ($Name -eq 'RunCloud.PowerShell') { @((Import-PowerShellDataFile $manifest).NestedModules)[-1] } else { $info.RootModule }
        $cmdlets | Should -BeLike '*.Commands.dll'
        Test-Path (Join-Path $folder $cmdlets) | Should -BeTrue
        @($info.ExportedCmdlets.Keys).Count | Should -BeGreaterThan 3
        @(Get-ChildItem $folder -Recurse -Include *.psm1, *.ps1) | Should -HaveCount 0
    }

    It 'resolves the engine''s types by name in scripts, from the module''s own context, one copy of each' {
        $script = @(
            '$ErrorActionPreference = "Stop"'
            "Import-Module '$script:ModulePath'; Import-Module '$script:EmulatorModulePath'"
            '$types = [RunCloud.PowerShell.Models.RunCloudDomain], [RunCloud.PowerShell.Http.RunCloudApiException], [RunCloud.Emulator.FaultRule]'
            '$contexts = @($types | ForEach-Object { [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_.Assembly).ToString() })'
            '$copies = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in "RunCloud.PowerShell", "RunCloud.Emulator" }).Count'
            '@{ Contexts = $contexts; Copies = $copies; Modules = @((Get-Module).Name); Engine = $types[0].Assembly.Location; Emulator = $types[2].Assembly.Location } | ConvertTo-Json -Compress'
        ) -join "`n"
        $r = Invoke-FreshPwsh 'type-names' $script
        $r.Engine | Should -Be (Join-Path (Resolve-Path $script:ModulePath).Path "bin/r2r/$script:R2rTag/RunCloud.PowerShell.dll") -Because 'on the platform it was built on the engine runs precompiled'
        $r.Emulator | Should -Be (Join-Path (Resolve-Path $script:EmulatorModulePath).Path 'bin/RunCloud.Emulator.dll') -Because 'the emulator ships IL only'
        $r.Contexts | Should -Be @('RunCloud.PowerShell module context', 'RunCloud.PowerShell module context', 'RunCloud.Emulator module context')
        $r.Copies | Should -Be 2
        $r.Modules | Sort-Object | Should -Be @('RunCloud.PowerShell', 'RunCloud.PowerShell.Emulator') -Because 'the nested modules do not show as modules of their own'
    }
}

Describe 'Re-import' {
    It 'Import-Module -Force keeps every cmdlet of both modules exported and working (PowerShell exports a binary root module''s cmdlets itself)' {
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

Describe 'Two copies of one module in one process' {
    # The cmdlets' assembly, once loaded, stays for the life of the process (even after Remove-Module). A second copy of
    # the module (another release, another folder) is refused by its loader with the fix, before PowerShell would fail
    # on a name already taken; the first copy keeps working. The main and emulator modules have loaders of their own
    # names, so they never compete (the tests above import both).
    BeforeAll {
        # Another release: the built module with a loader of another version (each release's loader has a name of its own).
        $src = Join-Path $TestDrive 'loader-src'
        New-Item -ItemType Directory -Path $src | Out-Null
        Copy-Item (Join-Path $PSScriptRoot '../../src/RunCloud.PowerShell.Loader/*') $src -Include '*.cs', '*.csproj'
        $built = Join-Path $TestDrive 'loader-bin'
        $log = & dotnet build $src -c Release -p:AssemblyName=RunCloud.PowerShell.Loader.0.0.1 -p:LangVersion=latest -p:Nullable=enable -o $built 2>&1
        if ($LASTEXITCODE -ne 0) { throw "Building a loader of another release failed: $($log | Out-String)" }
        $script:OtherCopy = Join-Path $TestDrive 'other/RunCloud.PowerShell'
        New-Item -ItemType Directory -Path (Split-Path $script:OtherCopy) | Out-Null
        Copy-Item (Resolve-Path $script:ModulePath).Path $script:OtherCopy -Recurse
        Copy-Item (Join-Path $built 'RunCloud.PowerShell.Loader.0.0.1.dll') (Join-Path $script:OtherCopy 'bin/RunCloud.PowerShell.Loader.dll') -Force
    }

    It 'refuses another release with the folder already loaded and the fix, and the first copy keeps working' {
        $script = @(
            '$ErrorActionPreference = "Stop"'
            "Import-Module '$script:ModulePath'"
            '$refusal = $null'
            "try { Import-Module '$script:OtherCopy' -Force } catch { `$refusal = `"`$_`" }"
            "Remove-Module RunCloud.PowerShell -ErrorAction SilentlyContinue; Import-Module '$script:ModulePath'; Import-Module '$script:EmulatorModulePath'"
            '$e = Start-RunCloudEmulator -RateLimitPerMinute 0'
            'Connect-RunCloud -BaseUri $e.BaseUri -Token (ConvertTo-SecureString $e.Token -AsPlainText -Force) -RateLimit 0'
            '$names = @(Get-RunCloudDomain -ServerId 1001 -WebAppId 2001 | ForEach-Object Name)'
            'Disconnect-RunCloud; Stop-RunCloudEmulator'
            '@{ Refusal = $refusal; Names = $names; Base = (Get-Module RunCloud.PowerShell).ModuleBase } | ConvertTo-Json -Compress'
        ) -join "`n"
        $r = Invoke-FreshPwsh 'second-copy' $script
        $r.Refusal | Should -BeLike "*already loaded in this process from '$((Resolve-Path $script:ModulePath).Path)'*"
        $r.Refusal | Should -BeLike '*Start a new PowerShell session*'
        $r.Names | Should -Contain 'shop.example.com'
        $r.Base | Should -Be (Resolve-Path $script:ModulePath).Path
    }
}
