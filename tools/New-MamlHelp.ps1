#Requires -Version 7.2
<#
.SYNOPSIS
    Generates MAML help (<Module>.dll-Help.xml) and about_*.help.txt topics from docs/help/*.md and the built module.

.DESCRIPTION
    platyPS is not available here, so this is the module's own, small help generator. It imports the BUILT module
    (run it in a process of its own: build.ps1 starts a child pwsh) and, for every exported cmdlet or function,
    takes everything that the code already knows from Get-Command - parameter sets, parameter types, Mandatory,
    Position, pipeline binding, aliases, wildcard support, [OutputType], SupportsShouldProcess - and merges it with
    the prose in docs/help/<Verb-Noun>.md. So the types and pipeline binding that Get-Help shows can never drift from
    the code; only words live in Markdown. The Markdown format is described in docs/help/README.md.

    docs/help/about_*.md become <OutputPath>/about_*.help.txt: plain text wrapped at 80 columns in the classic
    about-topic layout (TOPIC, SHORT DESCRIPTION, LONG DESCRIPTION, ...).

    Missing doc files, sections, parameter descriptions, or fewer than two examples are reported as warnings that
    name the cmdlet and what is missing; with -Strict the script then exits 1. Doc files for commands the module does
    not export are warned about too.

.PARAMETER ModulePath
    The folder holding the built module manifest (.psd1), e.g. out/RunCloud.PowerShell.

.PARAMETER DocsPath
    The folder holding <Verb-Noun>.md and about_*.md, e.g. docs/help.

.PARAMETER OutputPath
    The folder to write into, e.g. out/RunCloud.PowerShell/en-US. Created when missing.

.PARAMETER HelpFileName
    The MAML file name. By default the HelpFile PowerShell looks for (for a binary module '<Assembly>.dll-Help.xml'),
    or '<ModuleName>-Help.xml' when the commands name none.

.PARAMETER Include
    Wildcards of the doc files (base names, e.g. '*-RunCloudEmulator*') that belong to this module; the default is
    every file. Several modules share docs/help: each builds its own pages and about topics from it.

.PARAMETER Exclude
    Wildcards of the doc files that belong to another module: neither built nor reported as undocumented commands.

.PARAMETER Strict
    Exit 1 when anything is missing from the docs (the warnings are always written).

.EXAMPLE
    pwsh -NoProfile -File tools/New-MamlHelp.ps1 -ModulePath out/RunCloud.PowerShell -DocsPath docs/help -OutputPath out/RunCloud.PowerShell/en-US -Strict
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DocsPath,
    [Parameter(Mandatory)] [string] $OutputPath,
    [string] $HelpFileName,
    [string[]] $Include = @('*'),
    [string[]] $Exclude = @(),
    [switch] $Strict
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$NsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$NsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$NsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$NsMsh = 'http://msh'

# Documented once by PowerShell (about_CommonParameters), never per cmdlet.
$CommonParameters = [System.Collections.Generic.HashSet[string]]::new(
    [string[]]([System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters),
    [StringComparer]::OrdinalIgnoreCase)
# Shown in syntax and parameters (like built-in cmdlets do) with a stock description unless the doc has its own.
$ShouldProcessParameters = [ordered]@{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}
# Added by PowerShell to every cmdlet with SupportsPaging: documented once here, never per cmdlet.
$PagingParameters = [ordered]@{
    IncludeTotalCount = 'Reports the total number of objects in the data set (an integer) followed by the selected objects. If the cmdlet cannot determine the total count, it displays "Unknown total count."'
    Skip              = 'Ignores the specified number of objects and then gets the remaining objects. Enter the number of objects to skip.'
    First             = 'Gets only the specified number of objects. Enter the number of objects to get.'
}

$script:Problems = [System.Collections.Generic.List[string]]::new()
function Add-Problem([string] $Message) {
    $script:Problems.Add($Message)
    Write-Warning $Message
}

#region Markdown

# Splits Markdown text into blocks: @{ Kind = 'Heading'; Level; Text } | @{ Kind = 'Code'; Lang; Text } | @{ Kind = 'Para'; Text } |
# @{ Kind = 'List'; Items }. Paragraph lines are joined with spaces; code keeps its lines.
function ConvertFrom-MarkdownBlocks([string[]] $Lines) {
    $blocks = [System.Collections.Generic.List[object]]::new()
    $para = [System.Collections.Generic.List[string]]::new()
    $list = $null
    # Dot-sourced, so it runs in this function's scope.
    $flush = {
        if ($para.Count) { $blocks.Add(@{ Kind = 'Para'; Text = ($para -join ' ') }); $para.Clear() }
        if ($null -ne $list) { $blocks.Add(@{ Kind = 'List'; Items = $list.ToArray() }); $list = $null }
    }
    $i = 0
    while ($i -lt $Lines.Count) {
        $line = $Lines[$i]
        if ($line -match '^\s*(```+|~~~+)\s*([\w-]*)\s*$') {
            . $flush
            $fence = $Matches[1]; $lang = $Matches[2]
            $code = [System.Collections.Generic.List[string]]::new()
            $i++
            while ($i -lt $Lines.Count -and $Lines[$i] -notmatch ('^\s*' + [regex]::Escape($fence) + '\s*$')) { $code.Add($Lines[$i]); $i++ }
            $blocks.Add(@{ Kind = 'Code'; Lang = $lang; Text = ($code -join "`n") })
        }
        elseif ($para.Count -eq 0 -and $null -eq $list -and $line -match '^( {4}|\t)\S') {
            # An indented code block: indented lines (and blank lines between them).
            $code = [System.Collections.Generic.List[string]]::new()
            while ($i -lt $Lines.Count -and ($Lines[$i] -match '^( {4}|\t)' -or ($Lines[$i] -match '^\s*$' -and $i + 1 -lt $Lines.Count -and $Lines[$i + 1] -match '^( {4}|\t)'))) {
                $code.Add(($Lines[$i] -replace '^( {4}|\t)', '')); $i++
            }
            $blocks.Add(@{ Kind = 'Code'; Lang = ''; Text = ($code -join "`n") })
            continue
        }
        elseif ($line -match '^(#{1,6})\s+(.+?)\s*#*\s*$') {
            . $flush
            $blocks.Add(@{ Kind = 'Heading'; Level = $Matches[1].Length; Text = $Matches[2].Trim() })
        }
        elseif ($line -match '^\s*$') {
            . $flush
        }
        elseif ($line -match '^\s{0,3}([-*+]|\d+[.)])\s+(.*)$') {
            if ($para.Count) { $blocks.Add(@{ Kind = 'Para'; Text = ($para -join ' ') }); $para.Clear() }
            if ($null -eq $list) { $list = [System.Collections.Generic.List[string]]::new() }
            $marker = if ($Matches[1] -match '^\d') { $Matches[1] } else { '-' }
            $list.Add("$marker $($Matches[2].Trim())")
        }
        elseif ($null -ne $list -and $line -match '^\s+\S') {
            $list[$list.Count - 1] += ' ' + $line.Trim()
        }
        else {
            if ($null -ne $list) { $blocks.Add(@{ Kind = 'List'; Items = $list.ToArray() }); $list = $null }
            $para.Add($line.Trim())
        }
        $i++
    }
    . $flush
    , $blocks.ToArray()
}

# Inline Markdown to plain text: links become "text (uri)", emphasis markers go; `code` keeps its backticks off.
function ConvertTo-PlainText([string] $Text) {
    $t = [regex]::Replace($Text, '!?\[([^\]]*)\]\(([^)\s]+)\)', { param($m) if ($m.Groups[1].Value -eq $m.Groups[2].Value) { $m.Groups[2].Value } else { "$($m.Groups[1].Value) ($($m.Groups[2].Value))" } })
    $t = [regex]::Replace($t, '(\*\*|__)(.+?)\1', '$2')
    $t = [regex]::Replace($t, '(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])', '$1')
    $t = [regex]::Replace($t, '`([^`]+)`', '$1')
    $t = $t -replace '\\([\\`*_{}\[\]()#+\-.!<>])', '$1'
    $t
}

# Blocks to paragraphs of plain text (one string per MAML para). Code blocks keep their lines, indented.
function ConvertTo-Paragraphs($Blocks) {
    $paras = [System.Collections.Generic.List[string]]::new()
    foreach ($b in $Blocks) {
        switch ($b.Kind) {
            'Para' { $paras.Add((ConvertTo-PlainText $b.Text)) }
            'List' { foreach ($item in $b.Items) { $paras.Add((ConvertTo-PlainText $item)) } }
            'Code' { $paras.Add((($b.Text -split "`n") | ForEach-Object { "    $_" }) -join "`n") }
            'Heading' { $paras.Add((ConvertTo-PlainText $b.Text).ToUpperInvariant()) }
        }
    }
    , $paras.ToArray()
}

# Reads docs/help/<Name>.md into a description of the command's prose.
function Read-CommandDoc([string] $Path) {
    $blocks = ConvertFrom-MarkdownBlocks ([System.IO.File]::ReadAllLines($Path))
    $doc = [ordered]@{
        Title = $null; Sections = @{}; Synopsis = $null; Description = $null; Examples = @(); Parameters = @{}
        Inputs = @{}; Outputs = [ordered]@{}; Notes = $null; Links = @()
    }
    # Group by H2, then by H3 within the H2.
    $section = $null; $sub = $null
    foreach ($b in $blocks) {
        if ($b.Kind -eq 'Heading' -and $b.Level -eq 1) { $doc.Title = $b.Text; $section = $null; continue }
        if ($b.Kind -eq 'Heading' -and $b.Level -eq 2) {
            $section = @{ Body = [System.Collections.Generic.List[object]]::new(); Subs = [System.Collections.Generic.List[object]]::new() }
            $doc.Sections[$b.Text.ToUpperInvariant()] = $section
            $sub = $null
            continue
        }
        if ($null -eq $section) { continue }
        if ($b.Kind -eq 'Heading' -and $b.Level -eq 3) {
            $sub = @{ Title = $b.Text; Body = [System.Collections.Generic.List[object]]::new() }
            $section.Subs.Add($sub)
            continue
        }
        if ($null -ne $sub) { $sub.Body.Add($b) } else { $section.Body.Add($b) }
    }

    $s = $doc.Sections
    if ($s.ContainsKey('SYNOPSIS')) { $doc.Synopsis = (ConvertTo-Paragraphs $s.SYNOPSIS.Body) -join ' ' }
    if ($s.ContainsKey('DESCRIPTION')) { $doc.Description = ConvertTo-Paragraphs $s.DESCRIPTION.Body }
    if ($s.ContainsKey('NOTES')) { $doc.Notes = ConvertTo-Paragraphs $s.NOTES.Body }
    if ($s.ContainsKey('EXAMPLES')) {
        $doc.Examples = @(foreach ($ex in $s.EXAMPLES.Subs) {
                $codeBlocks = @($ex.Body | Where-Object Kind -EQ 'Code')
                [pscustomobject]@{
                    Title   = $ex.Title
                    Code    = ($codeBlocks | ForEach-Object Text) -join "`n`n"
                    Remarks = ConvertTo-Paragraphs @($ex.Body | Where-Object Kind -NE 'Code')
                }
            })
    }
    if ($s.ContainsKey('PARAMETERS')) {
        foreach ($p in $s.PARAMETERS.Subs) {
            # platyPS-style ```yaml metadata blocks are ignored: metadata comes from the code.
            $doc.Parameters[$p.Title.TrimStart('-').Trim()] = ConvertTo-Paragraphs @($p.Body | Where-Object { -not ($_.Kind -eq 'Code' -and $_.Lang -eq 'yaml') })
        }
    }
    foreach ($kind in 'INPUTS', 'OUTPUTS') {
        if (-not $s.ContainsKey($kind)) { continue }
        foreach ($t in $s[$kind].Subs) {
            $doc[$kind.Substring(0, 1) + $kind.Substring(1).ToLowerInvariant()][$t.Title.Trim('[', ']', ' ', '`')] = ConvertTo-Paragraphs $t.Body
        }
    }
    $linksKey = @('RELATED LINKS', 'LINKS') | Where-Object { $s.ContainsKey($_) } | Select-Object -First 1
    if ($linksKey) {
        $doc.Links = @(foreach ($b in $s[$linksKey].Body) {
                $items = if ($b.Kind -eq 'List') { $b.Items -replace '^\S+\s+', '' } elseif ($b.Kind -eq 'Para') { $b.Text -split '\s{2,}|(?<=\))\s+(?=\[)' } else { @() }
                foreach ($item in $items) {
                    if ($item -match '^\s*\[([^\]]+)\]\(([^)]*)\)\s*$') {
                        $uri = $Matches[2]
                        # Links to sibling docs (Get-Foo.md) are names for Get-Help, not URIs.
                        if ($uri -notmatch '^[a-z]+://') { $uri = '' }
                        [pscustomobject]@{ Text = $Matches[1]; Uri = $uri }
                    }
                    elseif ($item -match '^\s*<?([a-z]+://[^\s>]+)>?\s*$') { [pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[1] } }
                    elseif ($item.Trim()) { [pscustomobject]@{ Text = (ConvertTo-PlainText $item.Trim()); Uri = '' } }
                }
            })
    }
    $doc
}

#endregion

#region Metadata

function Get-TypeShortName([type] $Type) {
    if ($Type.IsArray) { return (Get-TypeShortName $Type.GetElementType()) + '[]' }
    if ($Type.IsGenericType) {
        $inner = ($Type.GetGenericArguments() | ForEach-Object { Get-TypeShortName $_ }) -join ','
        if ($Type.GetGenericTypeDefinition() -eq [Nullable`1]) { return $inner }
        return ($Type.Name -replace '`\d+$', '') + "[$inner]"
    }
    $Type.Name
}

function Get-TypeFullName([type] $Type) {
    if ($Type.IsArray) { return (Get-TypeFullName $Type.GetElementType()) + '[]' }
    if ($Type.IsGenericType) {
        $inner = ($Type.GetGenericArguments() | ForEach-Object { Get-TypeFullName $_ }) -join ','
        return ($Type.GetGenericTypeDefinition().FullName -replace '`\d+$', '') + "[$inner]"
    }
    $Type.FullName
}

function Get-PipelineText($ByValue, $ByName) {
    $kinds = @(if ($ByValue) { 'ByValue' }; if ($ByName) { 'ByPropertyName' })
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

function Get-PositionText([int] $Position) { if ($Position -lt 0) { 'named' } else { "$Position" } }

# One record per parameter with what every set says about it, and the syntax of each set.
function Get-CommandMetadata([System.Management.Automation.CommandInfo] $Command) {
    $supportsShouldProcess = $Command.Parameters.ContainsKey('WhatIf')
    $sets = @($Command.ParameterSets | Sort-Object { -not $_.IsDefault })
    $params = [ordered]@{}
    $syntax = foreach ($set in $sets) {
        $members = @($set.Parameters | Where-Object { -not $CommonParameters.Contains($_.Name) -or $ShouldProcessParameters.Contains($_.Name) })
        foreach ($m in $members) {
            if (-not $params.Contains($m.Name)) {
                $params[$m.Name] = [pscustomobject]@{ Name = $m.Name; Type = $m.ParameterType; Aliases = @($m.Aliases); Sets = [System.Collections.Generic.List[object]]::new()
                    Wildcards = [bool]($Command.Parameters[$m.Name].Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
                    Default = ($Command.Parameters[$m.Name].Attributes | Where-Object { $_ -is [System.Management.Automation.PSDefaultValueAttribute] } | Select-Object -First 1)
                }
            }
            $params[$m.Name].Sets.Add([pscustomobject]@{ Set = $set.Name; Member = $m })
        }
        # Positional first (by position), then mandatory, then the rest; WhatIf/Confirm last, like PowerShell's syntax.
        $ordered = $members | Sort-Object @{ e = { $ShouldProcessParameters.Contains($_.Name) } }, @{ e = { if ($_.Position -ge 0) { 0 } elseif ($_.IsMandatory) { 1 } else { 2 } } }, @{ e = { $_.Position } }
        [pscustomobject]@{ Set = $set.Name; Parameters = @($ordered) }
    }
    foreach ($p in $params.Values) {
        $members = $p.Sets.Member
        $mand = @($members | ForEach-Object IsMandatory | Select-Object -Unique)
        $p | Add-Member Required $(if ($mand.Count -gt 1) { 'true (' + (($p.Sets | Where-Object { $_.Member.IsMandatory }).Set -join ', ') + '), false otherwise' } else { "$($mand[0])".ToLowerInvariant() })
        $pos = @($members | ForEach-Object { Get-PositionText $_.Position } | Select-Object -Unique)
        $p | Add-Member Position ($pos -join ', ')
        $p | Add-Member ByValue ([bool]($members | Where-Object ValueFromPipeline))
        $p | Add-Member ByPropertyName ([bool]($members | Where-Object ValueFromPipelineByPropertyName))
        $p | Add-Member ValueFromRemaining ([bool]($members | Where-Object ValueFromRemainingArguments))
    }
    [pscustomobject]@{ Parameters = $params; Syntax = @($syntax); SupportsShouldProcess = $supportsShouldProcess }
}

#endregion

#region MAML writing

function Write-Paras([System.Xml.XmlWriter] $W, [string[]] $Paras, [string] $Element = 'description', [string] $Ns = $NsMaml, [string] $Prefix = 'maml') {
    $W.WriteStartElement($Prefix, $Element, $Ns)
    foreach ($p in @($Paras | Where-Object { $null -ne $_ })) { $W.WriteElementString('maml', 'para', $NsMaml, $p) }
    $W.WriteEndElement()
}

function Write-DevType([System.Xml.XmlWriter] $W, [string] $Name) {
    $W.WriteStartElement('dev', 'type', $NsDev)
    $W.WriteElementString('maml', 'name', $NsMaml, $Name)
    $W.WriteElementString('maml', 'uri', $NsMaml, '')
    $W.WriteEndElement()
}

function Write-Parameter([System.Xml.XmlWriter] $W, $P, [string] $Required, [string] $Position, [string] $Pipeline, [string[]] $Description, [switch] $InSyntax) {
    $isSwitch = $P.Type -eq [System.Management.Automation.SwitchParameter]
    $W.WriteStartElement('command', 'parameter', $NsCommand)
    $W.WriteAttributeString('required', $Required)
    $W.WriteAttributeString('variableLength', "$($P.Type.IsArray)".ToLowerInvariant())
    $W.WriteAttributeString('globbing', "$($P.Wildcards)".ToLowerInvariant())
    $W.WriteAttributeString('pipelineInput', $Pipeline)
    $W.WriteAttributeString('position', $Position)
    $W.WriteAttributeString('aliases', $(if ($P.Aliases.Count) { $P.Aliases -join ', ' } else { 'none' }))
    $W.WriteElementString('maml', 'name', $NsMaml, $P.Name)
    Write-Paras $W $Description
    # A switch shows as [-Name] in syntax, so it carries no value there.
    if (-not ($isSwitch -and $InSyntax)) {
        $W.WriteStartElement('command', 'parameterValue', $NsCommand)
        $W.WriteAttributeString('required', "$(-not $isSwitch)".ToLowerInvariant())
        $W.WriteAttributeString('variableLength', "$($P.Type.IsArray)".ToLowerInvariant())
        $W.WriteString((Get-TypeShortName $P.Type))
        $W.WriteEndElement()
    }
    if ($P.Type.IsEnum) {
        $W.WriteStartElement('command', 'parameterValueGroup', $NsCommand)
        foreach ($v in [enum]::GetNames($P.Type)) {
            $W.WriteStartElement('command', 'parameterValue', $NsCommand)
            $W.WriteAttributeString('required', 'false'); $W.WriteAttributeString('variableLength', 'false')
            $W.WriteString($v); $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }
    Write-DevType $W (Get-TypeFullName $P.Type)
    $default = if ($P.Default) { if ($P.Default.Help) { $P.Default.Help } else { "$($P.Default.Value)" } } elseif ($isSwitch) { 'False' } else { 'None' }
    $W.WriteElementString('dev', 'defaultValue', $NsDev, $default)
    $W.WriteEndElement()
}

function Write-Command([System.Xml.XmlWriter] $W, [System.Management.Automation.CommandInfo] $Command, $Meta, $Doc) {
    $name = $Command.Name
    $verb, $noun = $name -split '-', 2
    $W.WriteStartElement('command', 'command', $NsCommand)

    $W.WriteStartElement('command', 'details', $NsCommand)
    $W.WriteElementString('command', 'name', $NsCommand, $name)
    Write-Paras $W @($Doc.Synopsis)
    $W.WriteElementString('maml', 'copyright', $NsMaml, '')
    $W.WriteElementString('command', 'verb', $NsCommand, $verb)
    $W.WriteElementString('command', 'noun', $NsCommand, $noun)
    $W.WriteElementString('dev', 'version', $NsDev, '')
    $W.WriteEndElement()

    Write-Paras $W @($Doc.Description)

    $W.WriteStartElement('command', 'syntax', $NsCommand)
    foreach ($s in $Meta.Syntax) {
        $W.WriteStartElement('command', 'syntaxItem', $NsCommand)
        $W.WriteElementString('maml', 'name', $NsMaml, $name)
        foreach ($m in $s.Parameters) {
            $p = $Meta.Parameters[$m.Name]
            Write-Parameter $W $p "$($m.IsMandatory)".ToLowerInvariant() (Get-PositionText $m.Position) (Get-PipelineText $m.ValueFromPipeline $m.ValueFromPipelineByPropertyName) (Get-ParameterDoc $Doc $m.Name) -InSyntax
        }
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'parameters', $NsCommand)
    foreach ($p in $Meta.Parameters.Values) {
        $desc = @(Get-ParameterDoc $Doc $p.Name)
        if ($p.Sets.Count -lt $Meta.Syntax.Count -and $Meta.Syntax.Count -gt 1) {
            $desc += "Parameter sets: $(($p.Sets.Set | Select-Object -Unique) -join ', ')."
        }
        Write-Parameter $W $p $p.Required $p.Position (Get-PipelineText $p.ByValue $p.ByPropertyName) $desc
    }
    $W.WriteEndElement()

    # Inputs: exactly the types that bind from the pipeline (by value), plus by-property-name bindings explained.
    $W.WriteStartElement('command', 'inputTypes', $NsCommand)
    $byValue = @($Meta.Parameters.Values | Where-Object ByValue)
    $byName = @($Meta.Parameters.Values | Where-Object { $_.ByPropertyName -and -not $_.ByValue })
    if (-not $byValue -and -not $byName) {
        $W.WriteStartElement('command', 'inputType', $NsCommand)
        Write-DevType $W 'None'
        Write-Paras $W @("You can't pipe objects to $name.")
        $W.WriteEndElement()
    }
    foreach ($group in $byValue | Group-Object { Get-TypeFullName $_.Type }) {
        $W.WriteStartElement('command', 'inputType', $NsCommand)
        Write-DevType $W $group.Name
        $short = Get-TypeShortName $group.Group[0].Type
        $paras = @("You can pipe $short objects to $name (bound to $(($group.Group | ForEach-Object { "-$($_.Name)" }) -join ', ')).") + @(Get-DocTypeProse $Doc.Inputs $group.Group[0].Type)
        Write-Paras $W $paras
        $W.WriteEndElement()
    }
    if ($byName) {
        $W.WriteStartElement('command', 'inputType', $NsCommand)
        Write-DevType $W 'System.Management.Automation.PSObject'
        $list = ($byName | ForEach-Object { "$($_.Name) ($(Get-TypeShortName $_.Type))" }) -join ', '
        Write-Paras $W @("You can pipe objects with these properties to ${name}: $list.")
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'returnValues', $NsCommand)
    # [OutputType([void])] means "writes nothing": shown as None, with the doc's '### None' prose.
    $outputs = @($Command.OutputType | Where-Object { $_.Name -ne 'System.Void' })
    if (-not $outputs) {
        $W.WriteStartElement('command', 'returnValue', $NsCommand)
        Write-DevType $W 'None'
        Write-Paras $W @($Doc.Outputs.Values | Select-Object -First 1 | ForEach-Object { $_ })
        $W.WriteEndElement()
    }
    foreach ($o in $outputs) {
        $W.WriteStartElement('command', 'returnValue', $NsCommand)
        Write-DevType $W $o.Name
        Write-Paras $W @(Get-DocTypeProse $Doc.Outputs $o.Name)
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('maml', 'alertSet', $NsMaml)
    Write-Paras $W @($Doc.Notes) 'alert'
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'examples', $NsCommand)
    $i = 0
    foreach ($ex in $Doc.Examples) {
        $i++
        $title = if ($ex.Title -match '^Example\s+\d+') { $ex.Title } else { "Example ${i}: $($ex.Title)" }
        $W.WriteStartElement('command', 'example', $NsCommand)
        $W.WriteElementString('maml', 'title', $NsMaml, "--------- $title ---------")
        $W.WriteElementString('dev', 'code', $NsDev, $ex.Code)
        # The trailing empty para puts a blank line between examples, as Get-Help shows built-in ones.
        Write-Paras $W (@($ex.Remarks) + '') 'remarks' $NsDev 'dev'
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('maml', 'relatedLinks', $NsMaml)
    foreach ($l in $Doc.Links) {
        $W.WriteStartElement('maml', 'navigationLink', $NsMaml)
        $W.WriteElementString('maml', 'linkText', $NsMaml, $l.Text)
        $W.WriteElementString('maml', 'uri', $NsMaml, $l.Uri)
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteEndElement()
}

function Get-ParameterDoc($Doc, [string] $Name) {
    if ($Doc.Parameters.ContainsKey($Name)) { return $Doc.Parameters[$Name] }
    if ($ShouldProcessParameters.Contains($Name)) { return @($ShouldProcessParameters[$Name]) }
    if ($PagingParameters.Contains($Name)) { return @($PagingParameters[$Name]) }
    @()
}

# Prose for a type from the INPUTS/OUTPUTS sections, matched by full or short name.
function Get-DocTypeProse($Table, $TypeOrName) {
    $full = if ($TypeOrName -is [type]) { Get-TypeFullName $TypeOrName } else { "$TypeOrName" }
    $short = ($full -split '\.')[-1]
    foreach ($key in $Table.Keys) {
        if ($key -eq $full -or $key -eq $short) { return $Table[$key] }
    }
    @()
}

#endregion

#region About topics

function Format-Wrapped([string] $Text, [int] $Indent, [int] $Hanging = $Indent, [int] $Width = 80) {
    $lines = [System.Collections.Generic.List[string]]::new()
    $line = ' ' * $Indent
    $empty = $true
    foreach ($word in ($Text -split '\s+' | Where-Object { $_ })) {
        if (-not $empty -and ($line.Length + 1 + $word.Length) -gt $Width) {
            $lines.Add($line.TrimEnd()); $line = (' ' * $Hanging) + $word
        }
        else { $line += $(if ($empty) { '' } else { ' ' }) + $word }
        $empty = $false
    }
    if (-not $empty) { $lines.Add($line.TrimEnd()) }
    $lines
}

function ConvertTo-AboutText([string] $Path) {
    $blocks = ConvertFrom-MarkdownBlocks ([System.IO.File]::ReadAllLines($Path))
    $out = [System.Collections.Generic.List[string]]::new()
    $title = [IO.Path]::GetFileNameWithoutExtension($Path)
    $started = $false
    foreach ($b in $blocks) {
        switch ($b.Kind) {
            'Heading' {
                if ($b.Level -eq 1) { $title = $b.Text; $out.Add('TOPIC'); $out.Add("    $($b.Text)"); $out.Add(''); $started = $true }
                elseif ($b.Level -eq 2) { if ($out.Count -and $out[-1] -ne '') { $out.Add('') }; $out.Add((ConvertTo-PlainText $b.Text).ToUpperInvariant()) }
                else { if ($out.Count -and $out[-1] -ne '') { $out.Add('') }; $out.Add('  ' + (ConvertTo-PlainText $b.Text).ToUpperInvariant()) }
            }
            'Para' { $out.AddRange([string[]](Format-Wrapped (ConvertTo-PlainText $b.Text) 4)); $out.Add('') }
            'List' {
                foreach ($item in $b.Items) {
                    $marker = ($item -split ' ', 2)[0]
                    $out.AddRange([string[]](Format-Wrapped (ConvertTo-PlainText $item) 4 (5 + $marker.Length)))
                }
                $out.Add('')
            }
            'Code' { foreach ($l in $b.Text -split "`n") { $out.Add(("        $l").TrimEnd()) }; $out.Add('') }
        }
    }
    if (-not $started) { $out.Insert(0, ''); $out.Insert(0, "    $title"); $out.Insert(0, 'TOPIC') }
    while ($out.Count -and $out[-1] -eq '') { $out.RemoveAt($out.Count - 1) }
    foreach ($l in $out) { if ($l.Length -gt 80 -and $l -notmatch '^\s{8}') { Add-Problem "${title}: a line is longer than 80 columns and cannot be wrapped: '$l'" } }
    ($out -join [Environment]::NewLine) + [Environment]::NewLine
}

#endregion

# ---- main ----
# Whether docs/help/<BaseName>.md belongs to the module being built (-Include, -Exclude).
function Test-DocSelected([string] $BaseName) {
    @($Include | Where-Object { $BaseName -like $_ }).Count -gt 0 -and @($Exclude | Where-Object { $BaseName -like $_ }).Count -eq 0
}

$started = [Diagnostics.Stopwatch]::StartNew()
$manifest = Get-ChildItem -Path $ModulePath -Filter *.psd1 | Sort-Object { $_.BaseName -ne (Split-Path -Leaf $ModulePath) } | Select-Object -First 1
if (-not $manifest) { throw "No module manifest (.psd1) in '$ModulePath'." }
$module = Import-Module $manifest.FullName -Force -PassThru -ErrorAction Stop -WarningAction SilentlyContinue | Where-Object { $_.Path -like '*.psd1' -or $_.ModuleBase -eq $manifest.DirectoryName } | Select-Object -First 1
$commands = @(Get-Command -Module $module.Name -CommandType Cmdlet, Function | Sort-Object Name)

if (-not (Test-Path $DocsPath)) { Add-Problem "The docs folder '$DocsPath' does not exist: no command has any help text." }
New-Item -ItemType Directory -Force -Path $OutputPath | Out-Null

if (-not $HelpFileName) {
    # A cmdlet names its file in HelpFile; a function in its .ExternalHelp comment.
    $HelpFileName = $commands | ForEach-Object {
        if ($_.HelpFile) { $_.HelpFile } elseif ($_ -is [System.Management.Automation.FunctionInfo] -and $_.Definition -match '\.ExternalHelp\s+(\S+)') { $Matches[1] }
    } | Select-Object -First 1
    if (-not $HelpFileName) { $HelpFileName = "$($module.Name)-Help.xml" }
}

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$settings.NewLineHandling = [System.Xml.NewLineHandling]::Entitize
$settings.CheckCharacters = $true
$mamlPath = Join-Path $OutputPath $HelpFileName
$stream = [System.IO.MemoryStream]::new()
$w = [System.Xml.XmlWriter]::Create($stream, $settings)
try {
    $w.WriteStartDocument()
    $w.WriteStartElement('helpItems', $NsMsh)
    $w.WriteAttributeString('schema', 'maml')
    $w.WriteAttributeString('xmlns', 'maml', $null, $NsMaml)
    $w.WriteAttributeString('xmlns', 'command', $null, $NsCommand)
    $w.WriteAttributeString('xmlns', 'dev', $null, $NsDev)

    foreach ($command in $commands) {
        $name = $command.Name
        $docPath = Join-Path $DocsPath "$name.md"
        $doc = $null
        if (Test-Path -LiteralPath $docPath) {
            $doc = Read-CommandDoc $docPath
            if ($doc.Title -and $doc.Title -ne $name) { Add-Problem "${name}: the doc's title is '# $($doc.Title)', expected '# $name'." }
        }
        else {
            Add-Problem "${name}: no help file $docPath."
            $doc = @{ Synopsis = $null; Description = @(); Examples = @(); Parameters = @{}; Inputs = @{}; Outputs = [ordered]@{}; Notes = $null; Links = @(); Sections = $null }
        }
        $meta = Get-CommandMetadata $command
        # Get-Help -Online opens the first related link that has a URI: the command's own page (its HelpUri) comes first,
        # so a link to someone else's documentation further down never takes its place.
        if ($command.HelpUri) {
            $doc.Links = @([pscustomobject]@{ Text = 'Online Version:'; Uri = $command.HelpUri }) + @($doc.Links | Where-Object { $_.Uri -ne $command.HelpUri })
        }

        if ($null -ne $doc.Sections) {
            foreach ($section in 'SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'OUTPUTS', 'NOTES', 'RELATED LINKS') {
                if (-not $doc.Sections.ContainsKey($section)) { Add-Problem "${name}: the '## $section' section is missing." }
            }
            if ($doc.Sections.ContainsKey('SYNOPSIS') -and -not $doc.Synopsis) { Add-Problem "${name}: the synopsis is empty." }
            if ($doc.Sections.ContainsKey('DESCRIPTION') -and -not @($doc.Description).Count) { Add-Problem "${name}: the description is empty." }
            if (@($doc.Examples).Count -lt 2) { Add-Problem "${name}: $(@($doc.Examples).Count) example(s); at least 2 are needed." }
            foreach ($ex in $doc.Examples) { if (-not $ex.Code) { Add-Problem "${name}: '$($ex.Title)' has no code block." } }
            foreach ($p in $meta.Parameters.Keys) {
                if ($ShouldProcessParameters.Contains($p) -or $PagingParameters.Contains($p)) { continue }
                if (-not $doc.Parameters.ContainsKey($p) -or -not @($doc.Parameters[$p]).Count) { Add-Problem "${name}: parameter -$p has no description." }
            }
            foreach ($p in $doc.Parameters.Keys) {
                if (-not $meta.Parameters.Contains($p) -and -not $CommonParameters.Contains($p)) { Add-Problem "${name}: the doc describes -$p, which the command does not have." }
            }
            $realOutputs = @($command.OutputType | Where-Object { $_.Name -ne 'System.Void' })
            if (-not $realOutputs.Count -and -not @($doc.Outputs['None']).Count) { Add-Problem "${name}: the command writes no output; say so under '## OUTPUTS' with '### None'." }
            foreach ($o in $realOutputs) {
                if (-not @(Get-DocTypeProse $doc.Outputs $o.Name).Count) { Add-Problem "${name}: output type $($o.Name) has no description under '## OUTPUTS'." }
            }
            foreach ($key in $doc.Outputs.Keys) {
                $known = @($command.OutputType | Where-Object { $_.Name -eq $key -or ($_.Name -split '\.')[-1] -eq $key })
                if (-not $known -and $key -ne 'None') { Add-Problem "${name}: '## OUTPUTS' describes $key, which is not in the command's [OutputType]." }
            }
        }
        Write-Command $w $command $meta $doc
    }
    $w.WriteEndElement()
    $w.WriteEndDocument()
}
finally {
    $w.Dispose()
}
[System.IO.File]::WriteAllBytes($mamlPath, $stream.ToArray())

if (Test-Path $DocsPath) {
    $names = [System.Collections.Generic.HashSet[string]]::new([string[]]$commands.Name, [StringComparer]::OrdinalIgnoreCase)
    foreach ($md in Get-ChildItem -Path $DocsPath -Filter *.md -File) {
        if (-not (Test-DocSelected $md.BaseName)) { continue }
        if ($md.BaseName -like 'about_*') {
            $txt = ConvertTo-AboutText $md.FullName
            [System.IO.File]::WriteAllText((Join-Path $OutputPath "$($md.BaseName).help.txt"), $txt, [System.Text.UTF8Encoding]::new($false))
        }
        elseif ($md.BaseName -match '^\w+-\w+$' -and -not $names.Contains($md.BaseName)) {
            Add-Problem "$($md.Name) documents $($md.BaseName), which the module does not export."
        }
    }
}

Write-Verbose ("Wrote help for {0} command(s) to {1} in {2:n0} ms." -f $commands.Count, $mamlPath, $started.ElapsedMilliseconds)
if ($Strict -and $script:Problems.Count) {
    Write-Host "Help is incomplete: $($script:Problems.Count) problem(s)."
    exit 1
}
exit 0
