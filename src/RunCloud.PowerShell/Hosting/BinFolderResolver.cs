using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace RunCloud.PowerShell.Hosting
{
    /// <summary>
    /// The Windows PowerShell half of the dependency isolation (the module's third-party dlls resolve from its bin/, never from another module's copy), shared by both modules: this file is compiled
    /// into RunCloud.PowerShell (for <see cref="DependencyResolver"/>) and linked into RunCloud.Emulator (for its
    /// EmulatorDependencyResolver). A module ships its third-party assemblies in bin/, not beside its dll, so the runtime
    /// does not find them by itself. On .NET Framework there are no load contexts; an AssemblyResolve handler hands out
    /// bin/'s copy when exactly that assembly (name and version) is asked for, loaded with LoadFrom so it lives beside any
    /// other version another module loaded. On PowerShell 7 the module's psm1 loads its dll into a load context of its
    /// own (RunCloud.PowerShell.Loader), which resolves bin/ first, and no handler is installed.
    /// </summary>
    internal sealed class BinFolderResolver
    {
        private readonly object _gate = new object();
        private bool _installed;

        /// <param name="anchor">A type of the module's dll: bin/ is the folder beside it.</param>
        public BinFolderResolver(Type anchor) =>
            Directory = Path.Combine(Path.GetDirectoryName(anchor.Assembly.Location) ?? string.Empty, "bin");

        /// <summary>bin/ beside the module's dll.</summary>
        public string Directory { get; }

        /// <summary>PowerShell 7 (.NET, load contexts) rather than Windows PowerShell (.NET Framework) or Mono.</summary>
        public static bool HasLoadContexts
        {
            get
            {
                string runtime = RuntimeInformation.FrameworkDescription;
                return !runtime.StartsWith(".NET Framework", StringComparison.Ordinal) && !runtime.StartsWith("Mono", StringComparison.Ordinal);
            }
        }

        /// <summary>IModuleAssemblyInitializer.OnImport: installs the handler, once, where there are no load contexts.</summary>
        public void Install()
        {
            if (HasLoadContexts) return;
            lock (_gate)
            {
                if (_installed) return;
                AppDomain.CurrentDomain.AssemblyResolve += Resolve;
                _installed = true;
            }
        }

        /// <summary>IModuleAssemblyCleanup.OnRemove.</summary>
        public void Remove()
        {
            lock (_gate)
            {
                if (!_installed) return;
                AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
                _installed = false;
            }
        }

        private Assembly? Resolve(object? sender, ResolveEventArgs args) =>
            Find(new AssemblyName(args.Name), Directory, IsOurs(args.RequestingAssembly));

        /// <summary>The module's dll or one of bin/'s: a request from it may take a higher version, as a binding redirect would.</summary>
        private bool IsOurs(Assembly? requester)
        {
            if (requester == null || requester.IsDynamic) return false;
            string? folder = Path.GetDirectoryName(requester.Location);
            return folder != null && (string.Equals(folder, Directory, StringComparison.OrdinalIgnoreCase)
                                      || string.Equals(folder, Path.GetDirectoryName(Directory), StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>
        /// The assembly of that name in <paramref name="directory"/> when its version is the one asked for (or none was);
        /// when <paramref name="fromOurs"/> (the module or one of its own dependencies asks), also a higher version: bin/'s
        /// dependencies were built against slightly different versions of one another (the database client wants
        /// System.Buffers 4.0.2.0, bin/ holds 4.0.3.0), which an application's binding redirects would unify. Else null.
        /// </summary>
        public static Assembly? Find(AssemblyName wanted, string directory, bool fromOurs = false)
        {
            string path = Path.Combine(directory, wanted.Name + ".dll");
            if (!File.Exists(path)) return null;
            AssemblyName found = AssemblyName.GetAssemblyName(path);
            if (wanted.Version != null && found.Version != wanted.Version && !(fromOurs && found.Version != null && found.Version > wanted.Version)) return null;
            return Assembly.LoadFrom(path);
        }
    }
}
