BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'The built module' {
    It 'exports exactly the cmdlets its manifest lists' {
        $manifest = Import-PowerShellDataFile (Join-Path $script:ModulePath 'RunCloud.PowerShell.psd1')
        $exported = (Get-Command -Module RunCloud.PowerShell).Name | Sort-Object
        $exported | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It 'carries the version from Directory.Build.props' {
        $props = [xml](Get-Content -Raw (Join-Path $PSScriptRoot '../../Directory.Build.props'))
        $version = @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
        (Get-Module RunCloud.PowerShell).Version | Should -Be ([version]$version)
    }

    It 'imports in a fresh pwsh -NoProfile and lists only its own cmdlets' {
        $names = Invoke-TestPwsh "Import-Module '$script:ModulePath'; (Get-Command -Module RunCloud.PowerShell).Name"
        $LASTEXITCODE | Should -Be 0
        $names | Should -Contain 'Get-RunCloudConnection'
        $names | Where-Object { $_ -notlike '*-RunCloud*' } | Should -BeNullOrEmpty
        $names | Where-Object { $_ -like '*-RunCloudEmulator*' } | Should -BeNullOrEmpty -Because 'the emulator is a module of its own'
        $LASTEXITCODE | Should -Be 0
    }

    It 'ships the views of every format file module/ lists as one file, in the listed order, all in the session' {
        # PowerShell rebuilds its format table once per listed file: the build merges them, and must lose no view.
        $source = Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../module/views/RunCloud.PowerShell.Format.psd1')
        $expected = @(foreach ($file in $source.FormatsToProcess) {
                ([xml](Get-Content -Raw (Join-Path $PSScriptRoot "../../module/views/$file"))).Configuration.ViewDefinitions.View |
                    ForEach-Object { "$($_.Name) <- $($_.ViewSelectedBy.TypeName)" }
            })
        $built = @(Get-ModuleFormatFile -ModuleFolder $script:ModulePath -Name 'RunCloud.PowerShell')
        $built | Split-Path -Leaf | Should -Be @($source.FormatsToProcess[0])
        $views = @(([xml](Get-Content -Raw $built[0])).Configuration.ViewDefinitions.View |
                ForEach-Object { "$($_.Name) <- $($_.ViewSelectedBy.TypeName)" })
        $expected.Count | Should -BeGreaterThan 20
        $views | Should -Be $expected
        # A view from the last file the source manifest lists is live in this session.
        $last = ([xml](Get-Content -Raw (Join-Path $PSScriptRoot "../../module/views/$($source.FormatsToProcess[-1])"))).Configuration.ViewDefinitions.View[0]
        (Get-FormatData -TypeName $last.ViewSelectedBy.TypeName).FormatViewDefinition.Name | Should -Contain $last.Name
    }

    It 'loads its views after its loader, from a nested manifest of the same version' {
        # A root manifest's FormatsToProcess is read before any nested module, so before the loader starts the module's
        # startup profile: PowerShell's format loading would be compiled on the script's thread at every scheduled run.
        $root = Import-PowerShellDataFile (Join-Path $script:ModulePath 'RunCloud.PowerShell.psd1')
        @($root.FormatsToProcess) | Should -BeNullOrEmpty -Because 'the views are the nested format manifest''s'
        $root.NestedModules | Should -Be @('bin/RunCloud.PowerShell.Loader.dll', 'views/RunCloud.PowerShell.Format.psd1', 'RunCloud.PowerShell.Commands.dll') -Because 'the loader comes first'
        $format = Import-PowerShellDataFile (Join-Path $script:ModulePath 'views/RunCloud.PowerShell.Format.psd1')
        $format.ModuleVersion | Should -Be $root.ModuleVersion
        foreach ($key in 'CmdletsToExport', 'FunctionsToExport', 'VariablesToExport', 'AliasesToExport') { @($format[$key]) | Should -BeNullOrEmpty }
        @(Get-ChildItem $script:ModulePath -Filter *.psd1 -File).Name | Should -Be @('RunCloud.PowerShell.psd1') -Because 'tools that pack a module take the one .psd1 in its folder for its manifest'
        $script = "Import-Module '$script:ModulePath'; (Get-Module RunCloud.PowerShell).NestedModules.Name -join ','; " +
            "[bool](Get-FormatData -TypeName RunCloud.PowerShell.Models.RunCloudDomain); (Get-Command -Module RunCloud.PowerShell.Format).Count; " +
            "Remove-Module RunCloud.PowerShell; [bool](Get-Module RunCloud.PowerShell.Format); Import-Module '$script:ModulePath'; " +
            "[bool](Get-FormatData -TypeName RunCloud.PowerShell.Models.RunCloudDomain); (Get-Command -Module RunCloud.PowerShell).Count -gt 20"
        $out = Invoke-TestPwsh $script
        $LASTEXITCODE | Should -Be 0
        $out | Should -Be @('RunCloud.PowerShell.Loader,RunCloud.PowerShell.Format,RunCloud.PowerShell.Commands', 'True', '0', 'False', 'True', 'True')
    }

    It 'imports its cmdlets as its last nested module, not as a root module, and exports them under its own name' {
        # PowerShell 7 loads a root module's assembly before it imports any nested module: a binary root module stopped
        # the replay of PowerShell's startup profile before the loader could start the module's own.
        $root = Import-PowerShellDataFile (Join-Path $script:ModulePath 'RunCloud.PowerShell.psd1')
        $root.ContainsKey('RootModule') | Should -BeFalse
        $root.NestedModules[-1] | Should -Be 'RunCloud.PowerShell.Commands.dll'
        $script = "Import-Module '$script:ModulePath'; `$c = Get-Command Sync-RunCloudDomain; `$c.ModuleName; `$c.CommandType; " +
            "(Get-Command -Module RunCloud.PowerShell).Count; (Get-Help Sync-RunCloudDomain).Synopsis.Length -gt 20; " +
            "[bool](Get-Command Connect-RunCloud -Module RunCloud.PowerShell -ErrorAction SilentlyContinue); " +
            "Import-Module '$script:ModulePath' -Prefix Rc -Force; [bool](Get-Command Get-RcRunCloudConnection -ErrorAction SilentlyContinue)"
        $out = Invoke-TestPwsh $script
        $LASTEXITCODE | Should -Be 0
        $out | Should -Be @('RunCloud.PowerShell', 'Cmdlet', "$($root.CmdletsToExport.Count)", 'True', 'True', 'True')
    }

    It 'lets a fresh script name the engine''s types, which are the cmdlets'' own types from the module''s load context' {
        Test-Path (Join-Path $script:ModulePath 'engine') | Should -BeFalse -Because 'no manifest loads the engine by name any more'
        $script = "Import-Module '$script:ModulePath'; " +
            "[System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([RunCloud.PowerShell.Models.RunCloudDomain].Assembly).GetType().Name; " +
            "(Get-Command Get-RunCloudDomain).OutputType.Type -contains [runcloud.powershell.models.runclouddomain]; " +
            "[RunCloud.PowerShell.Models.RunCloudSyncExitCode]::Success.value__; " +
            "try { Connect-RunCloud -BaseUri 'http://127.0.0.1:9/' -Token (ConvertTo-SecureString x -AsPlainText -Force) -TimeoutSec 2 -MaxAttempts 1 -ErrorAction Stop } " +
            "catch [RunCloud.PowerShell.Http.RunCloudApiException] { 'api ' + `$_.FullyQualifiedErrorId } catch { 'other: ' + `$_.Exception.GetType().FullName }"
        $out = Invoke-TestPwsh $script
        $LASTEXITCODE | Should -Be 0
        $out[0] | Should -Be 'ModuleLoadContext'
        $out[1] | Should -Be 'True'
        $out[2] | Should -Be '0'
        $out[3] | Should -Be 'api RunCloudTransportError,RunCloud.PowerShell.Commands.ConnectRunCloudCommand' -Because 'a script catches the engine''s exception by the name it reads in the docs'
    }

    It 'exports no emulator cmdlet, carries no emulator dll and does not load the emulator' {
        $manifest = Import-PowerShellDataFile (Join-Path $script:ModulePath 'RunCloud.PowerShell.psd1')
        $manifest.CmdletsToExport | Where-Object { $_ -like '*Emulator*' } | Should -BeNullOrEmpty
        $manifest.NestedModules | Should -Be @('bin/RunCloud.PowerShell.Loader.dll', 'views/RunCloud.PowerShell.Format.psd1', 'RunCloud.PowerShell.Commands.dll') -Because 'the nested modules are the module''s own loader, views and cmdlets'
        Test-Path (Join-Path $script:ModulePath 'RunCloud.Emulator.dll') | Should -BeFalse
        Test-Path (Join-Path $script:ModulePath 'bin/RunCloud.Emulator.dll') | Should -BeFalse
        $loaded = Invoke-TestPwsh "Import-Module '$script:ModulePath'; Get-RunCloudConnection; [AppDomain]::CurrentDomain.GetAssemblies().GetName().Name -contains 'RunCloud.Emulator'; [bool](Get-Command Start-RunCloudEmulator -ErrorAction SilentlyContinue)"
        $LASTEXITCODE | Should -Be 0
        $loaded | Should -Be @('False', 'False')
    }
}

Describe 'The built emulator module (RunCloud.PowerShell.Emulator)' {
    It 'exports exactly the cmdlets its manifest lists, all of them emulator cmdlets' {
        $manifest = Import-PowerShellDataFile (Join-Path $script:EmulatorModulePath 'RunCloud.PowerShell.Emulator.psd1')
        $manifest.CmdletsToExport | Should -Contain 'Start-RunCloudEmulator'
        $exported = (Get-Command -Module RunCloud.PowerShell.Emulator).Name | Sort-Object
        $exported | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        $exported | Where-Object { $_ -notlike '*-RunCloudEmulator*' } | Should -BeNullOrEmpty
    }

    It 'carries the version from Directory.Build.props' {
        $props = [xml](Get-Content -Raw (Join-Path $PSScriptRoot '../../Directory.Build.props'))
        $version = @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
        (Get-Module RunCloud.PowerShell.Emulator).Version | Should -Be ([version]$version)
    }

    It 'imports alone in a fresh pwsh -NoProfile and serves the API' {
        $out = Invoke-TestPwsh "Import-Module '$script:EmulatorModulePath'; `$e = Start-RunCloudEmulator -RateLimitPerMinute 0; (Invoke-RestMethod -Uri (`$e.BaseUri.AbsoluteUri + 'api/v3/ping') -Headers @{ Authorization = 'Bearer ' + `$e.Token }).message; Stop-RunCloudEmulator; (Get-Command -Module RunCloud.PowerShell.Emulator).Count"
        $LASTEXITCODE | Should -Be 0
        $out[0] | Should -Be 'pong'
        [int]$out[-1] | Should -Be (Import-PowerShellDataFile (Join-Path $script:EmulatorModulePath 'RunCloud.PowerShell.Emulator.psd1')).CmdletsToExport.Count
    }
}

Describe 'Get-RunCloudConnection' {
    It 'writes nothing when no connection is open' {
        @(Get-RunCloudConnection) | Should -HaveCount 0
    }

    It 'declares its output type' {
        (Get-Command Get-RunCloudConnection).OutputType.Type | Should -Be ([RunCloud.PowerShell.Session.RunCloudConnection])
    }
}
