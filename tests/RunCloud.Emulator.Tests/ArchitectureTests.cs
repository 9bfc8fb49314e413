using System.Text.RegularExpressions;
using Xunit;

namespace RunCloud.Emulator.Tests;

/// <summary>
/// The emulator module's own rules, checked on its source so they cannot silently rot: its cmdlets build every
/// ErrorRecord in Commands/ErrorRecords.cs, one way per failure (the same rule the main module's ArchitectureTests hold).
/// </summary>
public class ArchitectureTests
{
    private static readonly string Source = FindSource();

    private static string FindSource()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "RunCloud.Emulator");
            if (File.Exists(Path.Combine(dir.FullName, "RunCloud.PowerShell.sln")) && Directory.Exists(candidate)) return candidate;
        }

        throw new DirectoryNotFoundException("src/RunCloud.Emulator not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The cmdlets' own project (the module's root assembly): its files count as Commands/.</summary>
    private static readonly string CmdletSource = Path.Combine(Path.GetDirectoryName(Source)!, "RunCloud.Emulator.Commands");

    private static IEnumerable<string> SourceFiles() =>
        new[] { Source, CmdletSource }.SelectMany(root => Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)
                        && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar));

    private static string Relative(string file) => file.StartsWith(CmdletSource + Path.DirectorySeparatorChar, StringComparison.Ordinal)
        ? Path.Combine("Commands", Path.GetRelativePath(CmdletSource, file))
        : Path.GetRelativePath(Source, file);

    /// <summary>The code without comments and string literals, so a mention in a doc comment or a message is not a use.</summary>
    private static string Code(string file)
    {
        string code = Regex.Replace(File.ReadAllText(file), @"/\*.*?\*/", string.Empty, RegexOptions.Singleline);
        code = Regex.Replace(code, @"//.*", string.Empty);
        return Regex.Replace(code, "\\$?@?\"(?:[^\"\\\\\\n]|\\\\.)*\"", "\"\"");
    }

    private static readonly Regex NewErrorRecord = new(@"\bnew\s+(System\.Management\.Automation\.)?ErrorRecord\s*\(");

    [Fact]
    public void Error_records_are_built_only_in_Commands_ErrorRecords()
    {
        string home = Path.Combine("Commands", "ErrorRecords.cs");
        var files = SourceFiles().ToList();
        Assert.Contains(files, f => Relative(f) == home);
        Assert.Contains(files, f => Relative(f) == Path.Combine("Commands", "StartRunCloudEmulatorCommand.cs")); // the scan sees the cmdlets

        var offenders = files.Where(f => Relative(f) != home && NewErrorRecord.IsMatch(Code(f))).Select(Relative).ToList();
        Assert.True(offenders.Count == 0, "new ErrorRecord( outside Commands/ErrorRecords.cs (build it there, one way per failure): " + string.Join(", ", offenders));
        Assert.Matches(NewErrorRecord, Code(files.Single(f => Relative(f) == home)));
    }
}
