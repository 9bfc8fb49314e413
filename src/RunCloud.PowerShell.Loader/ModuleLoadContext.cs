using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace RunCloud.PowerShell.Loader
{
    /// <summary>
    /// The module's own load context (PowerShell 7 only). The module's engine is loaded into it, and every
    /// assembly it (or a dependency) asks for is taken from the module's bin/ folder when it is there, before the default
    /// context is consulted. So the module always runs on the Newtonsoft.Json (and MySqlConnector, ...) it was built and
    /// tested with, whatever version PowerShell itself or another module has put in the default context, and its copy
    /// never reaches theirs. Everything not in bin/ (System.*, System.Management.Automation) comes from the default
    /// context as usual, so the cmdlets and PowerShell share one engine. Nothing in bin/ is loaded before it is asked
    /// for (the database client only when Ultimate Multisite is read).
    /// </summary>
    /// <remarks>
    /// Compiled against the netstandard reference of AssemblyLoadContext, whose only constructor takes no name: the
    /// context is told apart by <see cref="ToString"/> ("RunCloud.PowerShell module context") and by its type.
    /// </remarks>
    internal sealed class ModuleLoadContext : AssemblyLoadContext
    {
        private static readonly object s_gate = new object();
        private static readonly Dictionary<string, ModuleLoadContext> s_instances = new Dictionary<string, ModuleLoadContext>(StringComparer.Ordinal);

        /// <summary>The running .NET's own assemblies (System.Memory, System.Buffers, System.Diagnostics.DiagnosticSource, ...).</summary>
        private static readonly string s_runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? string.Empty;

        private readonly string _dependencyDirectory;
        private readonly string? _readyToRunDirectory;
        private readonly string _mainAssemblyName;

        private ModuleLoadContext(string mainAssemblyPath, string dependencyDirectory)
        {
            _mainAssemblyName = Path.GetFileNameWithoutExtension(mainAssemblyPath);
            _dependencyDirectory = dependencyDirectory;
            _readyToRunDirectory = ReadyToRunDirectory(dependencyDirectory, PlatformTag(Environment.Version, RuntimeInformation.ProcessArchitecture,
                RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win" : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx" : "linux"));
            MainAssembly = LoadFromAssemblyPath(PathOf(_mainAssemblyName) ?? mainAssemblyPath);
        }

        /// <summary>
        /// The platform build.ps1 precompiled bin/'s assemblies for (Get-ReadyToRunTag there): "net10.0-linux-x64". ReadyToRun
        /// code is specific to the OS and architecture, and is used only on the .NET major it was compiled against.
        /// </summary>
        internal static string PlatformTag(Version runtime, Architecture architecture, string os) =>
            $"net{runtime.Major}.0-{os}-{architecture.ToString().ToLowerInvariant()}";

        /// <summary>bin/r2r/&lt;tag&gt;/ when the build precompiled for this platform; null otherwise (bin/'s IL is used).</summary>
        internal static string? ReadyToRunDirectory(string dependencyDirectory, string tag)
        {
            string candidate = Path.Combine(Path.Combine(dependencyDirectory, "r2r"), tag);
            return Directory.Exists(candidate) ? candidate : null;
        }

        /// <summary>
        /// Where an assembly of bin/ is loaded from: its precompiled copy for this platform when there is one (the same
        /// assembly, with its IL, plus native code), else bin/'s; null when bin/ has no such assembly.
        /// </summary>
        internal string? PathOf(string name)
        {
            if (_readyToRunDirectory != null)
            {
                string precompiled = Path.Combine(_readyToRunDirectory, name + ".dll");
                if (File.Exists(precompiled)) return precompiled;
            }

            string plain = Path.Combine(_dependencyDirectory, name + ".dll");
            return File.Exists(plain) ? plain : null;
        }

        /// <summary>The module's engine (RunCloud.PowerShell.dll, RunCloud.Emulator.dll) as loaded in this context.</summary>
        public Assembly MainAssembly { get; }

        /// <summary>
        /// The one context of this process for that engine file (a module's assemblies cannot be unloaded, and a
        /// second copy of the cmdlets would split the session state they share): a re-import gets the same assembly back.
        /// </summary>
        public static Assembly Initialize(string mainAssemblyPath, string dependencyDirectory)
        {
            if (mainAssemblyPath == null) throw new ArgumentNullException(nameof(mainAssemblyPath));
            if (dependencyDirectory == null) throw new ArgumentNullException(nameof(dependencyDirectory));
            string main = Path.GetFullPath(mainAssemblyPath);
            lock (s_gate)
            {
                if (!s_instances.TryGetValue(main, out ModuleLoadContext? context))
                {
                    context = new ModuleLoadContext(main, Path.GetFullPath(dependencyDirectory));
                    s_instances.Add(main, context);
                }

                return context.MainAssembly;
            }
        }

        public override string ToString() => _mainAssemblyName + " module context";

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (string.Equals(assemblyName.Name, _mainAssemblyName, StringComparison.OrdinalIgnoreCase))
            {
                return MainAssembly;
            }

            // bin/ also carries the netstandard2.0 polyfills Windows PowerShell needs (System.Memory, System.Buffers, ...: the
            // database client's dependencies). On .NET they are part of the runtime: the runtime's copy is taken, so there is
            // one Span<T> and one DiagnosticSource in the process, never a polyfill beside the real thing.
            if (s_runtimeDirectory.Length > 0 && File.Exists(Path.Combine(s_runtimeDirectory, assemblyName.Name + ".dll")))
            {
                return null;
            }

            string? path = assemblyName.Name == null ? null : PathOf(assemblyName.Name);
            return path != null ? LoadFromAssemblyPath(path) : null;
        }
    }
}
