#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, tests, packages, benchmarks and demonstrates RunCloud.PowerShell.

.DESCRIPTION
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test

    Tasks (several may be given; each runs the tasks it needs first):
      Clean     removes out/ and every bin/ and obj/ folder
      Build     builds the importable module folders out/RunCloud.PowerShell (psd1, dlls, format files, help) and,
                beside it, out/RunCloud.PowerShell.Emulator (the RunCloud API emulator: its own module, for tests)
      Test      Build, then the xunit suites and the Pester suite; results in out/test-results; prints "N passed, N failed, N skipped"
      Demo      Build, then the main job end to end against the RunCloud API emulator
      Bench     Build, then the benchmarks (out/bench/results.json and a table)
      Package   Build, then out/RunCloud.PowerShell.<version>.nupkg and out/RunCloud.PowerShell.Emulator.<version>.nupkg,
                installable with Install-PSResource from a folder repository
      Emulator  Build, then runs the RunCloud API emulator in the foreground on -Port until Ctrl+C

    Why plain PowerShell and not Invoke-Build: Invoke-Build is published to the PowerShell Gallery, which is not
    reachable here, and not under a NuGet id this machine's registry serves. The tasks are few and linear, so a
    switch over task names with explicit dependencies keeps the build free of any tool beyond dotnet and pwsh.
#>
[CmdletBinding()]
param(
    [ValidateSet('Clean', 'Build', 'Test', 'Demo', 'Bench', 'Package', 'Emulator')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Port for -Task Emulator.
    [int] $Port = 8080,

    # Bench: repetitions of each measurement (the median is reported).
    [int] $Repeat = 5
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$ProgressPreference = 'SilentlyContinue'

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleName = 'RunCloud.PowerShell'
$ModuleOut = Join-Path $Out $ModuleName
# The emulator is a module of its own: production scripts never load it; tests import it explicitly.
$EmulatorModuleName = 'RunCloud.PowerShell.Emulator'
$EmulatorModuleOut = Join-Path $Out $EmulatorModuleName
$TestResults = Join-Path $Out 'test-results'
$script:Done = [System.Collections.Generic.HashSet[string]]::new()

function Get-ProjectVersion {
    $props = [xml](Get-Content -Raw (Join-Path $Root 'Directory.Build.props'))
    $version = $props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ } | Select-Object -First 1
    if (-not $version) { throw 'Directory.Build.props has no <Version>: it is the one place the version lives.' }
    $version
}

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

# The command line of the pwsh running this script, to start child processes with the very same PowerShell.
function Get-PwshCommand {
    $process = [Environment]::ProcessPath
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if ((Split-Path -Leaf $process) -match '^dotnet(\.exe)?$' -and (Test-Path $dll)) { return @($process, $dll) }
    @($process)
}

function Invoke-Pwsh {
    param([string[]] $Arguments)
    $cmd = Get-PwshCommand
    $exe = $cmd[0]
    $rest = @($cmd | Select-Object -Skip 1) + $Arguments
    # To the host, not the pipeline: otherwise the child's output (warnings, Pester's report) joins the exit code
    # this function returns, and "$code -ne 0" is true for any output at all.
    & $exe @rest | Out-Host
    $LASTEXITCODE
}

function Invoke-Task([string] $Name) {
    if ($script:Done.Contains($Name)) { return }
    Write-Host "==> $Name" -ForegroundColor Cyan
    & "Task-$Name"
    [void]$script:Done.Add($Name)
}

function Task-Clean {
    if (Test-Path $Out) { Remove-Item -Recurse -Force $Out }
    Get-ChildItem -Path (Join-Path $Root 'src'), (Join-Path $Root 'tests') -Directory -Recurse -Include bin, obj -ErrorAction SilentlyContinue |
        Remove-Item -Recurse -Force
}

#region Dependency isolation (the module's third-party dlls never meet another module's copies)
# The module folder keeps the manifest, format files, help and the cmdlets' assembly (<Engine>.Commands.dll, the root
# module, which names nothing but the engine and PowerShell) at its root; the engine (<Engine>.dll) and every
# third-party assembly go to bin/, with the module's copy of the loader (src/RunCloud.PowerShell.Loader, built as
# <Engine>.Loader.<version>, file bin/<Engine>.Loader.dll), the manifest's first nested module. PowerShell imports it
# before the root module; it hooks the runtime's resolution, so that when the cmdlets first need the engine it comes
# from the module's own AssemblyLoadContext, which resolves bin/ first (PowerShell 7), or from bin/ through
# AppDomain.AssemblyResolve (Windows PowerShell). No script runs on import, and PowerShell exports the cmdlets itself
# on every (re-)import. The emulator module gets the same layout with its own loader and context.
function Set-ModuleDependencyLayout([string] $ModuleFolder, [string] $RootAssembly, [string] $Engine) {
    $bin = Join-Path $ModuleFolder 'bin'
    New-Item -ItemType Directory -Force -Path $bin | Out-Null
    Get-ChildItem $ModuleFolder -Filter *.dll -File | Where-Object { $_.Name -ne $RootAssembly } | Move-Item -Destination $bin -Force

    # One loader per module and release, named after the engine it serves and the version: two modules, or two releases
    # of one module, never compete for one name in the default load context.
    $plain = "$Engine.Loader"
    $loaderName = "$plain.$(Get-ProjectVersion)"
    $loaderOut = Join-Path $Out "obj/publish-loader/$plain"
    if (Test-Path $loaderOut) { Remove-Item -Recurse -Force $loaderOut }
    Invoke-Dotnet publish (Join-Path $Root 'src/RunCloud.PowerShell.Loader') -c $Configuration -o $loaderOut "-p:AssemblyName=$loaderName" --nologo -v quiet
    Copy-Item (Join-Path $loaderOut "$loaderName.dll") (Join-Path $bin "$plain.dll")
    if (-not (Test-Path (Join-Path $ModuleFolder $RootAssembly))) { throw "$RootAssembly is not in $ModuleFolder." }
    if (-not (Test-Path (Join-Path $bin "$Engine.dll"))) { throw "$Engine.dll is not in $bin." }
}
#endregion

#region ReadyToRun (the engine precompiled for the platform the module is built on)
# A scheduled run is a fresh process, and without precompiled code it JIT-compiles the engine's and Newtonsoft.Json's
# first pass through connect and sync every time (docs/benchmarks.md, figure 1). crossgen2, the .NET SDK's ReadyToRun
# compiler (a NuGet package the SDK restores for PublishReadyToRun), compiles bin/'s assemblies against the running
# .NET and PowerShell into bin/r2r/<tag>/, tag = net<.NET major>.0-<os>-<arch> of this machine. The loader takes those
# copies only on that .NET major, OS and architecture (src/RunCloud.PowerShell.Loader/ModuleLoadContext.cs: PlatformTag
# must agree with Get-ReadyToRunTag), bin/'s IL everywhere else (Windows PowerShell, other platforms, another .NET).
function Get-ReadyToRunTag {
    $ri = [System.Runtime.InteropServices.RuntimeInformation]
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    $arch = $ri::ProcessArchitecture.ToString().ToLowerInvariant()
    [pscustomobject]@{ Tag = "net$([Environment]::Version.Major).0-$os-$arch"; Rid = "$os-$arch"; Framework = "net$([Environment]::Version.Major).0" }
}

# crossgen2 for this machine, restored (once) through a throw-away project that asks for ReadyToRun, so the SDK picks
# the compiler of its own version; its path in the NuGet cache.
function Get-Crossgen2 {
    $t = Get-ReadyToRunTag
    $project = Join-Path $Out "obj/crossgen2/crossgen2.csproj"
    New-Item -ItemType Directory -Force -Path (Split-Path $project) | Out-Null
    Set-Content -Path $project -Encoding utf8NoBOM -Value @"
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>$($t.Framework)</TargetFramework>
    <RuntimeIdentifier>$($t.Rid)</RuntimeIdentifier>
    <PublishReadyToRun>true</PublishReadyToRun>
    <SelfContained>false</SelfContained>
  </PropertyGroup>
</Project>
"@
    Invoke-Dotnet restore $project --nologo -v quiet
    $cache = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    $pack = Join-Path $cache "microsoft.netcore.app.crossgen2.$($t.Rid)"
    $versions = @(Get-ChildItem $pack -Directory -ErrorAction SilentlyContinue | Where-Object { $_.Name -like "$([Environment]::Version.Major).*" } |
            Sort-Object { [version]($_.Name -replace '-.*$', '') } -Descending)
    foreach ($v in $versions) {
        foreach ($name in 'crossgen2.dll', 'crossgen2.exe', 'crossgen2') {
            $tool = Join-Path $v.FullName "tools/$name"
            if (Test-Path $tool) { return $tool }
        }
    }
    throw "crossgen2 for $($t.Rid) is not in $pack after restoring $project. It comes from NuGet (Microsoft.NETCore.App.Crossgen2.$($t.Rid)): check that the package source is reachable, then build again."
}

function Add-ReadyToRunImage([string] $ModuleFolder) {
    $t = Get-ReadyToRunTag
    $bin = Join-Path $ModuleFolder 'bin'
    $target = Join-Path $bin "r2r/$($t.Tag)"
    New-Item -ItemType Directory -Force -Path $target | Out-Null
    $runtime = [System.Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()
    $runtimeNames = @(Get-ChildItem $runtime -Filter *.dll | ForEach-Object BaseName)
    # What the module's context loads from bin/ (the loader hands the runtime's own System.* to everybody instead).
    $inputs = @(Get-ChildItem $bin -Filter *.dll -File | Where-Object { $_.BaseName -notin $runtimeNames -and $_.BaseName -notlike '*.Loader' })
    $inputNames = @($inputs | ForEach-Object BaseName)
    # References: the runtime, PowerShell (less what bin/ has its own copy of: Newtonsoft.Json) and bin/.
    $references = @((Join-Path $runtime '*.dll')) +
        @(Get-ChildItem $PSHOME -Filter *.dll | Where-Object { $_.BaseName -notin $runtimeNames -and $_.BaseName -notin $inputNames } | ForEach-Object FullName)
    $tool = Get-Crossgen2
    $os = $t.Rid.Split('-')[0] -replace '^win$', 'windows'
    $arch = $t.Rid.Split('-')[1]
    foreach ($assembly in $inputs) {
        $refs = @($references + @($inputs | Where-Object FullName -NE $assembly.FullName | ForEach-Object FullName)) | ForEach-Object { "-r:$_" }
        # Cross-module code (.NET 7+, version resilient): the framework's generic code instantiated over this assembly's
        # types (each async method's builder, Start and AwaitUnsafeOnCompleted over its state machine; List<T> and
        # Dictionary<K,V> of its structs) is compiled into this image, with the IL it was compiled from recorded; the
        # runtime uses it only while the framework's IL is the same, and JIT-compiles it otherwise (another patch).
        # Without it a scheduled run JIT-compiles a few hundred such methods on its first pass (docs/benchmarks.md).
        # Not --non-local-generics-module: an image declared to hold other modules' generics is searched for them by
        # name, whatever the load context, and the emulator module's own Newtonsoft.Json (another context, same name)
        # then ran this copy's code and failed with EntryPointNotFoundException (ApplyEngine.Tests, SslStrategy.Tests).
        $crossModule = @('--opt-cross-module:*')
        $crossgen = @('--targetos', $os, '--targetarch', $arch, '-O') + $crossModule + $refs + @('-o', (Join-Path $target $assembly.Name), $assembly.FullName)
        $log = if ($tool -like '*.dll') { & dotnet $tool @crossgen 2>&1 } else { & $tool @crossgen 2>&1 }
        if ($LASTEXITCODE -ne 0) { throw "crossgen2 failed on $($assembly.Name) (exit code $LASTEXITCODE): $($log | Out-String)" }
    }
}
#endregion

#region Format files
# One format file per area in module/ (each area's views stay apart in the sources), one file in the built module:
# PowerShell rebuilds the session's whole format table for each file a manifest lists, so six files cost a fresh
# process about 20 ms more on import than the same views in one (docs/benchmarks.md, "Where the import time goes").
# Views keep the manifest's order (PowerShell takes the first view that fits a type), and nothing is dropped: an
# element the merge does not know stops the build.
function Join-FormatFile([string[]] $Source, [string] $Destination) {
    $merged = [xml]'<?xml version="1.0" encoding="utf-8"?><Configuration/>'
    $sections = [ordered]@{}
    foreach ($file in $Source) {
        $xml = [xml](Get-Content -Raw $file)
        foreach ($node in $xml.DocumentElement.ChildNodes) {
            if ($node.NodeType -ne [System.Xml.XmlNodeType]::Element) { continue }
            if ($node.Name -notin 'ViewDefinitions', 'Controls', 'SelectionSets') {
                throw "$file has a <$($node.Name)> section, which build.ps1's Join-FormatFile does not merge: add it there."
            }
            if (-not $sections.Contains($node.Name)) { $sections[$node.Name] = $merged.CreateElement($node.Name) }
            foreach ($child in $node.ChildNodes) {
                if ($child.NodeType -eq [System.Xml.XmlNodeType]::Element) { $null = $sections[$node.Name].AppendChild($merged.ImportNode($child, $true)) }
            }
        }
    }
    # PowerShell's format schema wants SelectionSets and Controls before ViewDefinitions.
    foreach ($name in 'SelectionSets', 'Controls', 'ViewDefinitions') {
        if ($sections.Contains($name)) { $null = $merged.DocumentElement.AppendChild($sections[$name]) }
    }
    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
    $writer = [System.Xml.XmlWriter]::Create($Destination, $settings)
    try { $merged.Save($writer) } finally { $writer.Dispose() }
}

# The built manifest lists the one merged file.
function Set-ManifestFormatFile([string] $Manifest, [string] $File) {
    $pattern = '(?m)^(\s*FormatsToProcess\s*=\s*)@\([^)]*\)'
    if ($Manifest -notmatch $pattern) { throw "The manifest's FormatsToProcess is not one line '@(...)': build.ps1 cannot point it at the merged $File." }
    $Manifest -replace $pattern, "`${1}@('$File')"
}
#endregion

function Task-Build {
    $version = Get-ProjectVersion
    $modules = @(
        # The cmdlets' project (the root module); the engine, its dependencies and the loader go to bin/ (Set-ModuleDependencyLayout).
        @{ Name = $ModuleName; Project = 'src/RunCloud.PowerShell.Commands'; Out = $ModuleOut; RootAssembly = 'RunCloud.PowerShell.Commands.dll'; Engine = 'RunCloud.PowerShell'
            # Scheduled runs start a process each time: the engine and its dependencies precompiled (see Add-ReadyToRunImage).
            ReadyToRun = $true
            # The emulator's help pages belong to the emulator module.
            HelpArgs = @('-Exclude', '*-RunCloudEmulator*') }
        @{ Name = $EmulatorModuleName; Project = 'src/RunCloud.Emulator.Commands'; Out = $EmulatorModuleOut; RootAssembly = 'RunCloud.Emulator.Commands.dll'; Engine = 'RunCloud.Emulator'; ReadyToRun = $false
            HelpArgs = @('-Include', '*-RunCloudEmulator*') }
    )
    foreach ($m in $modules) {
        if (-not (Test-Path (Join-Path $Root $m.Project))) { continue }
        # One publish folder per module: each module folder holds only its own dlls.
        $publish = Join-Path $Out "obj/publish/$($m.Name)"
        if (Test-Path $publish) { Remove-Item -Recurse -Force $publish }
        Invoke-Dotnet publish (Join-Path $Root $m.Project) -c $Configuration -o $publish --nologo -v quiet

        if (Test-Path $m.Out) { Remove-Item -Recurse -Force $m.Out }
        New-Item -ItemType Directory -Force -Path $m.Out | Out-Null
        Get-ChildItem $publish -Filter *.dll | Where-Object { $_.Name -notmatch '^System\.Management\.Automation' } |
            Copy-Item -Destination $m.Out
        Copy-Item (Join-Path $Root 'LICENSE') $m.Out -ErrorAction SilentlyContinue
        Set-ModuleDependencyLayout -ModuleFolder $m.Out -RootAssembly $m.RootAssembly -Engine $m.Engine
        if ($m.ReadyToRun) { Add-ReadyToRunImage -ModuleFolder $m.Out }

        # The module's manifest and, when it has one, its nested format manifest (views/<Name>.Format.psd1, imported after
        # the loader: see module/RunCloud.PowerShell.psd1; in a folder of its own, as tools that pack a module take the one
        # .psd1 beside the module's folder name for its manifest). The format files a manifest lists, beside it (the
        # emulator's would also match RunCloud.PowerShell.*), ship as one; the version (Directory.Build.props is its one
        # home) is stamped into each manifest.
        $manifests = @("$($m.Name).psd1") + @("views/$($m.Name).Format.psd1" | Where-Object { Test-Path (Join-Path $Root "module/$_") })
        foreach ($file in $manifests) {
            $source = Join-Path $Root "module/$file"
            $destination = Join-Path $m.Out $file
            New-Item -ItemType Directory -Force -Path (Split-Path -Parent $destination) | Out-Null
            $formats = @((Import-PowerShellDataFile $source).FormatsToProcess)
            if ($formats) {
                Join-FormatFile -Source @($formats | ForEach-Object { Join-Path (Split-Path -Parent $source) $_ }) -Destination (Join-Path (Split-Path -Parent $destination) $formats[0])
            }
            $manifest = Get-Content -Raw $source
            $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion = '$version'"
            if ($formats.Count -gt 1) { $manifest = Set-ManifestFormatFile -Manifest $manifest -File $formats[0] }
            Set-Content -Path $destination -Value $manifest -Encoding utf8NoBOM
        }

        $helpScript = Join-Path $Root 'tools/New-MamlHelp.ps1'
        if (Test-Path $helpScript) {
            $code = Invoke-Pwsh (@('-NoProfile', '-NonInteractive', '-File', $helpScript, '-ModulePath', $m.Out,
                    '-DocsPath', (Join-Path $Root 'docs/help'), '-OutputPath', (Join-Path $m.Out 'en-US')) + $m.HelpArgs)
            if ($code -ne 0) { throw "Help generation for $($m.Name) failed (exit code $code)." }
        }
        Write-Host "Built $($m.Out) (version $version)"
    }
}

function Get-TrxCounts([string] $Path) {
    $xml = [xml](Get-Content -Raw $Path)
    $c = $xml.TestRun.ResultSummary.Counters
    $n = { param($name) $v = $c.GetAttribute($name); if ($v) { [int]$v } else { 0 } }
    [pscustomobject]@{ Passed = & $n 'passed'; Failed = (& $n 'failed') + (& $n 'error') + (& $n 'timeout'); Skipped = & $n 'notExecuted' }
}

#region .NET Framework lane (Windows PowerShell 5.1 runs the module on .NET Framework)
# The client's xunit tests built for net472 (tests/*.NetFx.Tests) and run under Mono with xunit's console runner:
# the module claims Windows PowerShell 5.1, whose runtime is .NET Framework. `dotnet test` cannot run net472 here,
# so the Test task leaves these projects to this function.
function Test-NetFxLaneProject([System.IO.FileInfo] $Project) { $Project.BaseName -like '*.NetFx.Tests' }

function Get-XunitConsole {
    $cache = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $exe = Join-Path $cache.Trim() 'xunit.runner.console/2.4.1/tools/net472/xunit.console.exe'
    if (-not (Test-Path $exe)) { throw "xunit.console.exe is not at $exe (the NetFx test project's PackageDownload restores it)." }
    $exe
}

function Invoke-NetFxLane {
    $result = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; Problems = @(); Note = $null }
    $projects = @(Get-ChildItem (Join-Path $Root 'tests') -Filter *.csproj -Recurse | Where-Object { Test-NetFxLaneProject $_ })
    if (-not $projects) { return $result }
    $mono = Get-Command mono -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $mono) {
        $result.Note = 'net472 lane: SKIPPED, mono is not on PATH (apt-get install -y mono-complete; .ci/run installs it).'
        Write-Host $result.Note -ForegroundColor Yellow
        return $result
    }

    foreach ($project in $projects) {
        $name = $project.BaseName
        & dotnet build $project.FullName -c $Configuration --nologo -v quiet | Out-Host  # to the host: this function returns only $result
        if ($LASTEXITCODE -ne 0) { $result.Problems += "dotnet build $name (net472) exited $LASTEXITCODE"; continue }
        $dll = Get-ChildItem (Join-Path $project.DirectoryName "bin/$Configuration/net472") -Filter *.Tests.dll | Select-Object -First 1
        $xml = Join-Path $TestResults "$name.xml"
        & $mono.Source (Get-XunitConsole) $dll.FullName -xml $xml -noshadow -nologo | Out-Host
        $code = $LASTEXITCODE
        if (-not (Test-Path $xml)) { $result.Problems += "mono xunit.console $name exited $code without results"; continue }
        $assembly = ([xml](Get-Content -Raw $xml)).assemblies.assembly
        $p = [int]$assembly.GetAttribute('passed'); $s = [int]$assembly.GetAttribute('skipped')
        $f = [int]$assembly.GetAttribute('failed') + [int]$assembly.GetAttribute('errors')
        if ($p + $f + $s -eq 0) { $result.Problems += "the net472 lane ($name) ran no test" }
        if ($code -ne 0 -and $f -eq 0) { $result.Problems += "mono xunit.console $name exited $code" }
        $result.Passed += $p; $result.Failed += $f; $result.Skipped += $s
        $monoVersion = (& $mono.Source --version | Select-Object -First 1) -replace '^Mono JIT compiler version (\S+).*', 'Mono $1'
        Write-Host ("xunit {0} (net472 on {1}): {2} passed, {3} failed, {4} skipped" -f $name, $monoVersion, $p, $f, $s)
    }
    $result
}
#endregion

function Task-Test {
    # The Ultimate Multisite tests run against a real MariaDB the harness starts (tests/pester/MariaDb.ps1,
    # tests/RunCloud.PowerShell.Tests/MariaDbServer.cs): without mariadbd they cannot run, and a suite that skipped them
    # would hide it. Fail up front, saying what to install.
    $mariadbd = Get-Command mariadbd -CommandType Application -ErrorAction SilentlyContinue
    if (-not $mariadbd -and -not (Test-Path '/usr/sbin/mariadbd')) {
        throw 'mariadbd is not installed: the Ultimate Multisite tests need a real MariaDB. Install it (apt-get install -y mariadb-server; .ci/run does) and run the tests again.'
    }
    # The network status's HTML report is tested in a real headless browser (tests/pester/NetworkStatus.Tests.ps1):
    # without chromium those tests fail, so say it up front.
    $chromium = Get-Command chromium, chromium-browser -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $chromium -and -not (Test-Path '/usr/bin/chromium')) {
        throw 'chromium is not installed: the HTML report of Get-RunCloudNetworkStatus is tested in a real headless browser. Install it (apt-get install -y chromium; .ci/run does) and run the tests again.'
    }
    Invoke-Task Build
    if (Test-Path $TestResults) { Remove-Item -Recurse -Force $TestResults }
    New-Item -ItemType Directory -Force -Path $TestResults | Out-Null
    $passed = 0; $failed = 0; $skipped = 0; $problems = @()

    foreach ($project in Get-ChildItem (Join-Path $Root 'tests') -Filter *.csproj -Recurse | Where-Object { -not (Test-NetFxLaneProject $_) }) {
        $name = $project.BaseName
        $trx = "$name.trx"
        & dotnet test $project.FullName -c $Configuration --nologo -v quiet "--logger:trx;LogFileName=$trx" --results-directory $TestResults
        $code = $LASTEXITCODE
        $trxPath = Join-Path $TestResults $trx
        if (Test-Path $trxPath) {
            $counts = Get-TrxCounts $trxPath
            $passed += $counts.Passed; $failed += $counts.Failed; $skipped += $counts.Skipped
            Write-Host ("xunit {0}: {1} passed, {2} failed, {3} skipped" -f $name, $counts.Passed, $counts.Failed, $counts.Skipped)
            if ($code -ne 0 -and $counts.Failed -eq 0) { $problems += "dotnet test $name exited $code" }
        }
        else {
            $problems += "dotnet test $name exited $code without results (build error?)"
        }
    }

    $lane = Invoke-NetFxLane
    $passed += $lane.Passed; $failed += $lane.Failed; $skipped += $lane.Skipped; $problems += $lane.Problems

    $summary = Join-Path $TestResults 'pester-summary.json'
    $code = Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'tests/Invoke-PesterSuite.ps1'),
        '-ModulePath', $ModuleOut, '-EmulatorModulePath', $EmulatorModuleOut, '-ResultPath', (Join-Path $TestResults 'pester.xml'), '-SummaryPath', $summary)
    if (Test-Path $summary) {
        $p = Get-Content -Raw $summary | ConvertFrom-Json
        $passed += $p.Passed; $failed += $p.Failed; $skipped += $p.Skipped
        Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $p.Passed, $p.Failed, $p.Skipped)
        if ($code -ne 0 -and $p.Failed -eq 0) { $problems += "Pester exited $code" }
    }
    else {
        $problems += "the Pester suite exited $code without a summary"
    }

    foreach ($problem in $problems) { Write-Host "ERROR: $problem" -ForegroundColor Red }
    if ($lane.Note) { Write-Host $lane.Note -ForegroundColor Yellow }  # once more beside the totals, so nobody misses it
    Write-Host ''
    # The closing line CI reads: exactly "N passed, N failed, N skipped", alone on its line.
    Write-Host ("{0} passed, {1} failed, {2} skipped" -f $passed, $failed, $skipped)
    if ($failed -gt 0 -or $problems.Count -gt 0) { exit 1 }
}

function Task-Package {
    Invoke-Task Build
    $version = Get-ProjectVersion
    Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop
    foreach ($m in @(@{ Name = $ModuleName; Out = $ModuleOut }, @{ Name = $EmulatorModuleName; Out = $EmulatorModuleOut })) {
        $nupkg = Join-Path $Out "$($m.Name).$version.nupkg"
        if (Test-Path $nupkg) { Remove-Item -Force $nupkg }
        Compress-PSResource -Path $m.Out -DestinationPath $Out
        if (-not (Test-Path $nupkg)) { throw "Compress-PSResource did not produce $nupkg." }
        Write-Host "Packaged $nupkg"
    }
}

function Task-Demo {
    Invoke-Task Build
    $code = Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'examples/Demo.ps1'), '-ModulePath', $ModuleOut, '-EmulatorModulePath', $EmulatorModuleOut)
    if ($code -ne 0) { exit $code }
}

function Task-Emulator {
    Invoke-Task Build
    $code = Invoke-Pwsh @('-NoProfile', '-Command',
        "Import-Module '$EmulatorModuleOut'; `$e = Start-RunCloudEmulator -Port $Port; `$e | Format-List BaseUri, ApiKey, ApiSecret, Token; Write-Host 'Press Ctrl+C to stop.'; try { while (`$true) { Start-Sleep -Seconds 1 } } finally { Stop-RunCloudEmulator }")
    exit $code
}

function Task-Bench {
    Invoke-Task Build
    $script = Join-Path $Root 'bench/Invoke-Benchmark.ps1'
    if (-not (Test-Path $script)) { throw 'bench/Invoke-Benchmark.ps1 is missing: the benchmarks cannot run.' }
    $code = Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', $script, '-ModulePath', $ModuleOut, '-EmulatorModulePath', $EmulatorModuleOut, '-OutputPath', (Join-Path $Out 'bench'), '-Repeat', $Repeat)
    if ($code -ne 0) { exit $code }
}

Push-Location $Root
try {
    foreach ($t in $Task) { Invoke-Task $t }
}
finally {
    Pop-Location
}
