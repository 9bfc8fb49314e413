using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Text.RegularExpressions;
using RunCloud.PowerShell.Commands;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The layering of docs/architecture.md, checked on the source and the assembly so that it cannot silently rot:
    /// Commands -> Sync -> Api -> Http, one type per file, namespaces that follow folders.
    /// </summary>
    public class ArchitectureTests
    {
        private static readonly string Source = FindSource();

        /// <summary>What each folder (namespace) may use. Anything not listed is a wrong-way arrow.</summary>
        private static readonly Dictionary<string, string[]> s_allowed = new Dictionary<string, string[]>
        {
            ["Commands"] = new[] { "Sync", "Session", "State", "Api", "Http", "Auth", "Input", "Models", "Sources" },
            ["Sync"] = new[] { "State", "Api", "Http", "Input", "Models", "Sources" },
            // Where desired names come from (Sources/UltimateMultisite: UM's database, WP-CLI, REST); never Commands, Sync or Api.
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

        private static IEnumerable<string> SourceFiles() =>
            Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)
                            && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar));

        /// <summary>The file's path under src/RunCloud.PowerShell (Path.GetRelativePath is not on net472, whose lane compiles this too).</summary>
        private static string Relative(string file) => file.Substring(Source.Length).TrimStart(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);

        private static string Folder(string file) => Relative(file).Split(Path.DirectorySeparatorChar)[0];

        /// <summary>The namespace a file's folder stands for: Sources/UltimateMultisite/X.cs is RunCloud.PowerShell.Sources.UltimateMultisite.</summary>
        private static string FolderNamespace(string file)
        {
            string[] parts = Relative(file).Split(Path.DirectorySeparatorChar);
            return string.Join(".", parts.Take(parts.Length - 1));
        }

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
                Assert.True(types.Length == 1, $"{name} declares {types.Length} top-level types ({string.Join(", ", types)})");
                Assert.Equal(Path.GetFileNameWithoutExtension(file), CmdletFileName(types[0]));
                Assert.Matches(@"(?m)^namespace RunCloud\.PowerShell\." + Regex.Escape(FolderNamespace(file)) + @"\s*$", code);
            }
        }

        [Fact]
        public void EveryPublicTypeLivesInItsOwnFile()
        {
            foreach (Type type in typeof(RunCloudCmdlet).Assembly.GetExportedTypes().Where(t => !t.IsNested))
            {
                string folder = type.Namespace!.Substring("RunCloud.PowerShell.".Length);
                string file = Path.Combine(folder.Replace('.', Path.DirectorySeparatorChar), CmdletFileName(type.Name) + ".cs");
                Assert.True(File.Exists(Path.Combine(Source, file)), $"{type.FullName} is not in {file}");
            }
        }

        [Fact]
        public void EveryServerIdAndWebAppIdParameterHasItsCompleter()
        {
            var expected = new Dictionary<string, Type> { ["ServerId"] = typeof(ServerIdCompleter), ["WebAppId"] = typeof(WebAppIdCompleter) };
            IEnumerable<Type> cmdlets = typeof(RunCloudCmdlet).Assembly.GetExportedTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() != null);
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
