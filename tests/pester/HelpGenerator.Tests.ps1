# Unit tests of tools/New-MamlHelp.ps1 on a fixture script module (fixtures/help/HelpFixture) and fixture docs
# (fixtures/help/docs). The generator runs in a child pwsh, as build.ps1 runs it, so the fixture module it imports
# does not leak into this session.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Generator = (Resolve-Path (Join-Path $PSScriptRoot '../../tools/New-MamlHelp.ps1')).Path
    $script:Fixtures = Join-Path $PSScriptRoot 'fixtures/help'

    function Invoke-Generator([string[]] $Arguments) {
        $pwsh = Get-TestPwshCommand
        $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
        $output = & $exe @rest -NoProfile -NonInteractive -File $script:Generator @Arguments 2>&1 | ForEach-Object { "$_" -replace '\x1b\[[0-9;]*m', '' }
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output); Text = ($output -join "`n") }
    }

    # The fixture module is copied so the help lands in its own en-US folder, where Get-Help looks.
    $script:ModuleCopy = Join-Path $TestDrive 'HelpFixture'
    Copy-Item -Recurse (Join-Path $script:Fixtures 'HelpFixture') $TestDrive
    $script:OutDir = Join-Path $script:ModuleCopy 'en-US'
    $script:Run = Invoke-Generator @('-ModulePath', $script:ModuleCopy, '-DocsPath', (Join-Path $script:Fixtures 'docs'), '-OutputPath', $script:OutDir)
    $script:MamlPath = Join-Path $script:OutDir 'HelpFixture-Help.xml'
    $script:Xml = [xml]::new()
    if (Test-Path $script:MamlPath) { $script:Xml.Load($script:MamlPath) }
    $script:Ns = [System.Xml.XmlNamespaceManager]::new($script:Xml.NameTable)
    $script:Ns.AddNamespace('msh', 'http://msh')
    $script:Ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
    $script:Ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
    $script:Ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')

    function Get-CommandNode([string] $Name) {
        $script:Xml.SelectSingleNode("/msh:helpItems/command:command[command:details/command:name='$Name']", $script:Ns)
    }
    function Get-ParameterNode([string] $Command, [string] $Parameter) {
        (Get-CommandNode $Command).SelectSingleNode("command:parameters/command:parameter[maml:name='$Parameter']", $script:Ns)
    }
    function Select-Text($Node, [string] $XPath) {
        @($Node.SelectNodes($XPath, $script:Ns) | ForEach-Object InnerText)
    }
}

Describe 'New-MamlHelp on the fixture module' {
    It 'exits 0 without -Strict even though some docs are incomplete' {
        $script:Run.ExitCode | Should -Be 0 -Because $script:Run.Text
    }

    It 'writes well-formed MAML named after the commands'' HelpFile, with one command element per exported function' {
        $script:MamlPath | Should -Exist
        $script:Xml.DocumentElement.LocalName | Should -Be 'helpItems'
        $script:Xml.DocumentElement.NamespaceURI | Should -Be 'http://msh'
        $script:Xml.DocumentElement.GetAttribute('schema') | Should -Be 'maml'
        Select-Text $script:Xml '/msh:helpItems/command:command/command:details/command:name' |
            Should -Be @('Get-Widget', 'Remove-Widget', 'Set-Widget', 'Test-Widget')
    }

    It 'writes name, verb, noun and synopsis in details' {
        $details = (Get-CommandNode 'Get-Widget').SelectSingleNode('command:details', $script:Ns)
        Select-Text $details 'command:verb' | Should -Be 'Get'
        Select-Text $details 'command:noun' | Should -Be 'Widget'
        Select-Text $details 'maml:description/maml:para' | Should -Be 'Gets widgets by name or id.'
    }

    It 'joins paragraph lines and reduces inline Markdown to plain text' {
        Select-Text (Get-CommandNode 'Get-Widget') 'maml:description/maml:para' | Should -Be @(
            'Gets the widgets whose names match the wildcard patterns in -Name, or the widget whose id is -Id. This line is joined to the previous one.',
            'Second paragraph with code and bold and a link (https://example.com/widgets).')
    }

    It 'writes one syntax item per parameter set, the default set first' {
        $items = (Get-CommandNode 'Get-Widget').SelectNodes('command:syntax/command:syntaxItem', $script:Ns)
        $items.Count | Should -Be 2
        Select-Text $items[0] 'command:parameter/maml:name' | Should -Be @('Name', 'IncludeHidden')
        Select-Text $items[1] 'command:parameter/maml:name' | Should -Be @('Id', 'IncludeHidden')
        # A switch shows as [-IncludeHidden] in syntax: no value element there.
        $items[0].SelectNodes("command:parameter[maml:name='IncludeHidden']/command:parameterValue", $script:Ns).Count | Should -Be 0
    }

    It 'takes type, position, pipeline input, wildcards and aliases from the code' {
        $name = Get-ParameterNode 'Get-Widget' 'Name'
        $name.required | Should -Be 'false'
        $name.position | Should -Be '0'
        $name.pipelineInput | Should -Be 'True (ByValue)'
        $name.globbing | Should -Be 'true'
        $name.variableLength | Should -Be 'true'
        Select-Text $name 'dev:type/maml:name' | Should -Be 'System.String[]'
        Select-Text $name 'command:parameterValue' | Should -Be 'String[]'

        $id = Get-ParameterNode 'Get-Widget' 'Id'
        $id.required | Should -Be 'true'
        $id.position | Should -Be 'named'
        $id.pipelineInput | Should -Be 'True (ByPropertyName)'
        $id.aliases | Should -Be 'WidgetId'
        Select-Text $id 'dev:type/maml:name' | Should -Be 'System.Int64'
        Select-Text $id 'maml:description/maml:para' | Should -Contain 'The id of one widget.'

        $switch = Get-ParameterNode 'Get-Widget' 'IncludeHidden'
        Select-Text $switch 'command:parameterValue' | Should -Be 'SwitchParameter'
        Select-Text $switch 'dev:defaultValue' | Should -Be 'False'
    }

    It 'writes enum values, nullable types, and WhatIf/Confirm for a ShouldProcess command' {
        Select-Text (Get-ParameterNode 'Set-Widget' 'Color') 'command:parameterValueGroup/command:parameterValue' | Should -Contain 'DarkYellow'
        Select-Text (Get-ParameterNode 'Set-Widget' 'Size') 'dev:type/maml:name' | Should -Be 'System.Nullable[System.Int32]'
        Select-Text (Get-ParameterNode 'Set-Widget' 'Size') 'command:parameterValue' | Should -Be 'Int32'
        Get-ParameterNode 'Set-Widget' 'WhatIf' | Should -Not -BeNullOrEmpty
        Get-ParameterNode 'Set-Widget' 'Confirm' | Should -Not -BeNullOrEmpty
        Get-ParameterNode 'Get-Widget' 'WhatIf' | Should -BeNullOrEmpty
        Get-ParameterNode 'Get-Widget' 'Verbose' | Should -BeNullOrEmpty
    }

    It 'derives input types from the pipeline parameters' {
        $inputs = (Get-CommandNode 'Get-Widget').SelectNodes('command:inputTypes/command:inputType', $script:Ns)
        Select-Text $inputs[0] 'dev:type/maml:name' | Should -Be 'System.String[]'
        Select-Text $inputs[0] 'maml:description/maml:para' | Should -BeLike '*(bound to -Name)*'
        Select-Text $inputs[1] 'maml:description/maml:para' | Should -BeLike '*Id (Int64)*'
        Select-Text (Get-CommandNode 'Test-Widget') 'command:inputTypes/command:inputType/dev:type/maml:name' | Should -Be 'None'
    }

    It 'writes return values from [OutputType] with the OUTPUTS prose' {
        $rv = (Get-CommandNode 'Get-Widget').SelectSingleNode('command:returnValues/command:returnValue', $script:Ns)
        Select-Text $rv 'dev:type/maml:name' | Should -Be 'System.Collections.Hashtable'
        Select-Text $rv 'maml:description/maml:para' | Should -Be 'One hashtable per widget.'
        Select-Text (Get-CommandNode 'Set-Widget') 'command:returnValues/command:returnValue/dev:type/maml:name' | Should -Be 'HelpFixture.Widget'
    }

    It 'writes examples with title, code and remarks' {
        $examples = (Get-CommandNode 'Get-Widget').SelectNodes('command:examples/command:example', $script:Ns)
        $examples.Count | Should -Be 2
        Select-Text $examples[0] 'maml:title' | Should -BeLike '*Example 1: Get all widgets*'
        Select-Text $examples[1] 'dev:code' | Should -Be '[pscustomobject]@{ Id = 42 } | Get-Widget'
        Select-Text $examples[1] 'dev:remarks/maml:para' | Should -Contain 'Binds the Id property to -Id.'
    }

    It 'writes notes and related links, keeping only real URIs' {
        Select-Text (Get-CommandNode 'Get-Widget') 'maml:alertSet/maml:alert/maml:para' | Should -Be 'Widgets are imaginary.'
        $links = (Get-CommandNode 'Get-Widget').SelectNodes('maml:relatedLinks/maml:navigationLink', $script:Ns)
        Select-Text $links[0] 'maml:linkText' | Should -Be 'Set-Widget'
        Select-Text $links[0] 'maml:uri' | Should -Be ''
        Select-Text $links[1] 'maml:uri' | Should -Be 'https://example.com/widgets'
        Select-Text $links[2] 'maml:linkText' | Should -Be 'about_HelpFixture'
    }

    It 'XML-escapes less-than, ampersand and greater-than in prose and code' {
        $raw = Get-Content -Raw $script:MamlPath
        $raw | Should -Match ([regex]::Escape('Size &lt; 10 &amp; Color &gt; Red'))
        $raw | Should -Match ([regex]::Escape('&lt;script&gt;alert("x")&lt;/script&gt; &amp;'))
        Select-Text (Get-CommandNode 'Set-Widget') 'command:details/maml:description/maml:para' | Should -Be 'Sets a widget''s color when Size < 10 & Color > Red.'
        Select-Text (Get-CommandNode 'Set-Widget') 'command:examples/command:example/dev:remarks/maml:para' | Should -Contain 'Shows what would change when x < y && y > z.'
    }

    It 'warns, naming the command, about <What>' -ForEach @(
        @{ What = 'a missing section'; Text = "Remove-Widget: the '## OUTPUTS' section is missing." }
        @{ What = 'a missing NOTES section'; Text = "Remove-Widget: the '## NOTES' section is missing." }
        @{ What = 'too few examples'; Text = 'Remove-Widget: 1 example(s); at least 2 are needed.' }
        @{ What = 'an undocumented parameter'; Text = 'Remove-Widget: parameter -Force has no description.' }
        @{ What = 'a documented parameter that does not exist'; Text = 'Remove-Widget: the doc describes -Colour, which the command does not have.' }
        @{ What = 'a missing doc file'; Text = 'Test-Widget: no help file*Test-Widget.md.' }
        @{ What = 'a doc file for a command that does not exist'; Text = 'Get-Orphan.md documents Get-Orphan, which the module does not export.' }
    ) {
        $script:Run.Output | Where-Object { $_ -like "WARNING: $Text" } | Should -Not -BeNullOrEmpty -Because ($script:Run.Text)
    }

    It 'does not warn about complete docs' {
        $script:Run.Output | Where-Object { $_ -match '(Get|Set)-Widget:' } | Should -BeNullOrEmpty
    }

    It 'exits non-zero with -Strict when docs are incomplete' {
        $strict = Invoke-Generator @('-ModulePath', $script:ModuleCopy, '-DocsPath', (Join-Path $script:Fixtures 'docs'), '-OutputPath', (Join-Path $TestDrive 'strict'), '-Strict')
        $strict.ExitCode | Should -Be 1
    }

    It 'converts about_*.md into an 80-column about topic' {
        $path = Join-Path $script:OutDir 'about_HelpFixture.help.txt'
        $path | Should -Exist
        $lines = Get-Content $path
        $lines[0..1] | Should -Be @('TOPIC', '    about_HelpFixture')
        $lines | Should -Contain 'SHORT DESCRIPTION'
        $lines | Should -Contain 'LONG DESCRIPTION'
        $lines | Should -Contain '  COLORS'
        $lines | Should -Contain '    Widgets have names & ids.'
        $lines | Where-Object { $_.Length -gt 80 -and $_ -notmatch '^ {8}' } | Should -BeNullOrEmpty
        # A wrapped list item hangs under its text; code is kept as is.
        $i = [array]::IndexOf($lines, ($lines | Where-Object { $_ -like '    - Red:*' }))
        $lines[$i + 1] | Should -Match '^      \S'
        $lines | Should -Contain '        Get-Widget | Set-Widget -Color Red   # this code line is long, yet code is never wrapped by the generator at all'
    }

    Context 'Get-Help on the generated MAML' {
        BeforeAll {
            Import-Module (Join-Path $script:ModuleCopy 'HelpFixture.psd1') -Force
            $script:Full = Get-Help Get-Widget -Full | Out-String -Width 200
        }
        AfterAll { Remove-Module HelpFixture -ErrorAction SilentlyContinue }

        It 'shows the synopsis, description, examples and outputs' {
            $script:Full | Should -Match 'Gets widgets by name or id\.'
            $script:Full | Should -Match 'This line is joined to the previous one\.'
            $script:Full | Should -Match 'Example 2: Get widgets by id from the pipeline'
            $script:Full | Should -Match 'System\.Collections\.Hashtable'
        }

        It 'shows parameter types and pipeline binding' {
            $script:Full | Should -Match '-Id <Int64>'
            $script:Full | Should -Match 'Accept pipeline input\?\s+True \(ByPropertyName\)'
            $script:Full | Should -Match 'Accept wildcard characters\?\s+true'
            (Get-Help Set-Widget -Parameter Color).type.name | Should -Be 'System.ConsoleColor'
            (Get-Help Set-Widget).Synopsis | Should -Be 'Sets a widget''s color when Size < 10 & Color > Red.'
        }
    }
}

Describe 'New-MamlHelp on the built module' {
    It 'finds nothing missing in docs/help (-Strict exits 0)' {
        $run = Invoke-Generator @('-ModulePath', $script:ModulePath, '-DocsPath', (Join-Path $PSScriptRoot '../../docs/help'), '-OutputPath', (Join-Path $TestDrive 'built'), '-Exclude', '*-RunCloudEmulator*', '-Strict')
        $run.ExitCode | Should -Be 0 -Because $run.Text
    }

    It 'reports the emulator''s pages as documenting commands the main module does not export, unless excluded' {
        $run = Invoke-Generator @('-ModulePath', $script:ModulePath, '-DocsPath', (Join-Path $PSScriptRoot '../../docs/help'), '-OutputPath', (Join-Path $TestDrive 'built-all'), '-Strict')
        $run.ExitCode | Should -Be 1
        $run.Text | Should -Match 'Start-RunCloudEmulator\.md documents Start-RunCloudEmulator, which the module does not export'
    }
}

Describe 'New-MamlHelp on the built emulator module' {
    It 'finds nothing missing for the emulator''s cmdlets (-Include *-RunCloudEmulator*, -Strict exits 0) and writes their MAML' {
        $out = Join-Path $TestDrive 'built-emu'
        $run = Invoke-Generator @('-ModulePath', $script:EmulatorModulePath, '-DocsPath', (Join-Path $PSScriptRoot '../../docs/help'), '-OutputPath', $out, '-Include', '*-RunCloudEmulator*', '-Strict')
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $maml = Get-Content -Raw (Join-Path $out 'RunCloud.Emulator.Commands.dll-Help.xml')
        $names = @([regex]::Matches($maml, '<command:name>([^<]+)</command:name>') | ForEach-Object { $_.Groups[1].Value.Trim() })
        $names | Should -Contain 'Start-RunCloudEmulator'
        $names | Should -Not -Contain 'Connect-RunCloud'
    }
}
