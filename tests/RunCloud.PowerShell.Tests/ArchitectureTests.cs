using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Text.RegularExpressions;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Commands;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The layering of docs/architecture.md, checked on the source and the assembly so that it cannot silently rot:
    /// Commands -> Sync -> Ssl -> Dns, Api -> Http, one type per file, namespaces that follow folders (sub-folders included).
    /// </summary>
    public class ArchitectureTests
    {
        private static readonly string Source = FindSource();

        /// <summary>The module's root assembly: the cmdlets, in the default load context.</summary>
        private static readonly Assembly Cmdlets = typeof(SyncRunCloudDomainCommand).Assembly;

        /// <summary>
        /// The cmdlets' assembly is loaded into the default context, where Newtonsoft.Json is PowerShell's own: a JSON (or
        /// database) type it named would bind there, not to the module's copy in bin/, and a call between the two would fail
        /// at run time. So it references the engine, PowerShell and .NET only.
        /// </summary>
        [Fact]
        public void TheCmdletsAssemblyReferencesOnlyTheEnginePowerShellAndDotNet()
        {
            string[] references = Cmdlets.GetReferencedAssemblies().Select(a => a.Name!).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            string[] foreign = references.Where(n => n != "RunCloud.PowerShell" && n != "System.Management.Automation" && n != "netstandard"
                                                     && n != "mscorlib" && !n.StartsWith("System.", StringComparison.Ordinal)).ToArray();
            Assert.True(foreign.Length == 0, "RunCloud.PowerShell.Commands references " + string.Join(", ", foreign) + ": move that code into the engine");
            Assert.Contains("RunCloud.PowerShell", references);
        }

        /// <summary>What each folder (namespace) may use. Anything not listed is a wrong-way arrow.</summary>
        private static readonly Dictionary<string, string[]> s_allowed = new Dictionary<string, string[]>
        {
            ["Commands"] = new[] { "Sync", "Ssl", "Dns", "Sources", "Session", "State", "Api", "Http", "Auth", "Input", "Models" },
            ["Sync"] = new[] { "Ssl", "Dns", "Sources", "State", "Api", "Http", "Input", "Models" },
            ["Ssl"] = new[] { "Dns", "State", "Api", "Http", "Input", "Models" },
            ["Dns"] = new[] { "Models" },
            ["Sources"] = new[] { "Input", "Auth", "Http", "Models" },
            ["Session"] = new[] { "Api", "Http", "Auth", "Models" },
            ["Api"] = new[] { "Http", "Models" },
            ["Http"] = new[] { "Auth", "Models" },
            ["Auth"] = new[] { "Models" },
            ["Input"] = Array.Empty<string>(),
            ["State"] = Array.Empty<string>(),
            ["Models"] = Array.Empty<string>(),
        };

        private static string FindSource()
        {
            for (DirectoryInfo? dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "src", "RunCloud.PowerShell");
                if (File.Exists(Path.Combine(dir.FullName, "RunCloud.PowerShell.sln")) && Directory.Exists(candidate)) return candidate;
            }

            throw new DirectoryNotFoundException("src/RunCloud.PowerShell not found above " + AppContext.BaseDirectory);
        }

        /// <summary>The cmdlets' own project (the module's root assembly): its files are the Commands layer's too.</summary>
        private static readonly string CmdletSource = Path.Combine(Path.GetDirectoryName(Source)!, "RunCloud.PowerShell.Commands");

        private static IEnumerable<string> SourceFiles() =>
            new[] { Source, CmdletSource }.SelectMany(root => Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)
                            && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar));

        /// <summary>
        /// The file's path under src/RunCloud.PowerShell, a file of the cmdlets' project as if it were in Commands/ (Path.GetRelativePath
        /// is not on net472, whose lane compiles this too).
        /// </summary>
        private static string Relative(string file) => file.StartsWith(CmdletSource + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? Path.Combine("Commands", file.Substring(CmdletSource.Length + 1))
            : file.Substring(Source.Length).TrimStart(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);

        /// <summary>The layer of a file: the first folder under src/RunCloud.PowerShell (Commands/Completion is Commands).</summary>
        private static string Folder(string file) => Relative(file).Split(Path.DirectorySeparatorChar)[0];

        /// <summary>The namespace a file's folder gives it: Commands/Completion/X.cs is RunCloud.PowerShell.Commands.Completion.</summary>
        private static string NamespaceOf(string file) =>
            "RunCloud.PowerShell." + Path.GetDirectoryName(Relative(file))!.Replace(Path.DirectorySeparatorChar, '.').Replace(Path.AltDirectorySeparatorChar, '.');

        private static string WithoutComments(string code) =>
            Regex.Replace(Regex.Replace(code, @"/\*.*?\*/", string.Empty, RegexOptions.Singleline), @"//.*", string.Empty);

        private static string WithoutCommentsAndStrings(string code) =>
            Regex.Replace(WithoutComments(code), "\\$?@?\"(?:[^\"\\\\\\n]|\\\\.)*\"", "\"\"");

        /// <summary>A cmdlet class XCommand lives in X.cs (the cmdlet's name); every other type in a file of its own name.</summary>
        private static string CmdletFileName(string type) =>
            type.EndsWith("Command", StringComparison.Ordinal) && type.Length > "Command".Length ? type.Substring(0, type.Length - "Command".Length) : type;

        [Fact]
        public void TheSourceHasTheLayeredFolders()
        {
            string[] folders = SourceFiles().Select(Folder).Distinct().ToArray();
            Assert.All(folders, f => Assert.Contains(f, s_allowed.Keys));
            Assert.Contains("Commands", folders);
            Assert.Contains("Api", folders);
            Assert.Contains("Http", folders);
        }

        [Fact]
        public void CommandsNeverTouchHttpClientPagesOrApiPaths()
        {
            var apiPath = new Regex("\"(?:ping|servers|static)(?:/[^\"]*)?\"|\"[^\"\\s]*/(?:webapps|domains|ssl)\\b[^\"]*\"");
            foreach (string file in SourceFiles().Where(f => Folder(f) == "Commands"))
            {
                string code = WithoutComments(File.ReadAllText(file));
                string name = Path.GetFileName(file);
                Assert.False(code.IndexOf("HttpClient", StringComparison.Ordinal) >= 0, name + " uses HttpClient");
                Assert.False(code.IndexOf("GetPageAsync", StringComparison.Ordinal) >= 0, name + " reads pages itself");
                Assert.False(code.IndexOf("ApiPaths", StringComparison.Ordinal) >= 0, name + " builds an API path");
                Assert.False(Regex.IsMatch(code, @"(?<!RunCloud\.PowerShell)\.Api\b"), name + " calls the JSON client directly");
                Match literal = apiPath.Match(code);
                Assert.False(literal.Success, $"{name} has a literal API path {literal.Value}");
            }
        }

        [Fact]
        public void OnlyTheCommandsLayerBuildsErrorRecordsOrWritesToThePipeline()
        {
            foreach (string file in SourceFiles().Where(f => Folder(f) != "Commands"))
            {
                string code = WithoutCommentsAndStrings(File.ReadAllText(file));
                Assert.False(Regex.IsMatch(code, @"\bErrorRecord\b"), Path.GetFileName(file) + " builds an ErrorRecord below Commands");
                Assert.False(Regex.IsMatch(code, @"\bWrite(Verbose|Debug|Warning|Error|Object|Progress)\b"), Path.GetFileName(file) + " writes to the pipeline below Commands");
                Assert.False(Regex.IsMatch(code, @"\bPipelineLog\b"), Path.GetFileName(file) + " uses the Commands layer's PipelineLog");
            }
        }

        [Fact]
        public void ErrorRecordsAreBuiltOnlyInErrorRecords()
        {
            string home = Path.Combine("Commands", "ErrorRecords.cs");
            var offenders = SourceFiles()
                .Where(f => Relative(f) != home && Regex.IsMatch(WithoutCommentsAndStrings(File.ReadAllText(f)), @"\bnew\s+(System\.Management\.Automation\.)?ErrorRecord\s*\("))
                .Select(Relative)
                .ToList();
            Assert.True(offenders.Count == 0, "new ErrorRecord( outside Commands/ErrorRecords.cs (build it there, one way per failure): " + string.Join(", ", offenders));
        }

        [Fact]
        public void ArrowsPointOneWay()
        {
            var problems = new List<string>();
            foreach (string file in SourceFiles())
            {
                string folder = Folder(file);
                string code = WithoutCommentsAndStrings(File.ReadAllText(file));
                foreach (Match m in Regex.Matches(code, @"\bRunCloud\.PowerShell\.(\w+)\b"))
                {
                    string target = m.Groups[1].Value;
                    if (target == folder || !s_allowed.ContainsKey(target)) continue;
                    if (!s_allowed[folder].Contains(target)) problems.Add($"{Relative(file)} -> {target}");
                }
            }

            Assert.Empty(problems.Distinct());
        }

        [Fact]
        public void EveryTypeHasItsOwnFileNamedAfterItInTheFolderOfItsNamespace()
        {
            var declaration = new Regex(@"^    (?:(?:public|internal|static|sealed|abstract|partial|readonly)\s+)*(?:class|interface|enum|struct)\s+(\w+)", RegexOptions.Multiline);
            foreach (string file in SourceFiles())
            {
                string code = File.ReadAllText(file);
                string[] types = declaration.Matches(code).Cast<Match>().Select(m => m.Groups[1].Value).ToArray();
                string name = Relative(file);
                // A file of assembly attributes only (EngineTypes.cs: the type forwarders) declares no type.
                if (types.Length == 0 && Regex.IsMatch(code, @"(?m)^\[assembly: ")) continue;
                Assert.True(types.Length == 1, $"{name} declares {types.Length} top-level types ({string.Join(", ", types)})");
                Assert.Equal(Path.GetFileNameWithoutExtension(file), CmdletFileName(types[0]));
                Assert.Matches(@"(?m)^namespace " + Regex.Escape(NamespaceOf(file)) + @"\s*$", code);
            }
        }

        [Fact]
        public void EveryPublicTypeLivesInItsOwnFile()
        {
            var files = new HashSet<string>(SourceFiles().Select(Relative));
            foreach (Type type in typeof(RunCloudCmdlet).Assembly.GetExportedTypes().Concat(Cmdlets.GetExportedTypes()).Where(t => !t.IsNested))
            {
                string folder = type.Namespace!.Substring("RunCloud.PowerShell.".Length).Replace('.', Path.DirectorySeparatorChar);
                string file = Path.Combine(folder, CmdletFileName(type.Name) + ".cs");
                Assert.True(files.Contains(file), $"{type.FullName} is not in {file}");
            }
        }

        [Fact]
        public void EveryServerIdAndWebAppIdParameterHasItsCompleter()
        {
            var expected = new Dictionary<string, Type> { ["ServerId"] = typeof(ServerIdCompleter), ["WebAppId"] = typeof(WebAppIdCompleter) };
            IEnumerable<Type> cmdlets = Cmdlets.GetExportedTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() != null);
            int checkedParameters = 0;
            foreach (Type cmdlet in cmdlets)
            {
                foreach (KeyValuePair<string, Type> pair in expected)
                {
                    string name = pair.Key;
                    Type completer = pair.Value;
                    PropertyInfo? property = cmdlet.GetProperty(name);
                    if (property?.GetCustomAttributes<ParameterAttribute>().Any() != true) continue;
                    checkedParameters++;
                    // Read from the metadata, not by constructing the attribute: on the net472 lane System.Management.Automation
                    // is PowerShellStandard.Library's reference assembly, whose attribute constructors store nothing.
                    Type? declared = property.GetCustomAttributesData()
                        .FirstOrDefault(a => a.AttributeType == typeof(ArgumentCompleterAttribute))?.ConstructorArguments.FirstOrDefault().Value as Type;
                    Assert.True(declared == completer, $"{cmdlet.Name} -{name} has no {completer.Name}");
                }
            }

            Assert.True(checkedParameters >= 16, $"only {checkedParameters} ServerId/WebAppId parameters found");
        }
    }
}
